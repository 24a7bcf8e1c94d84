/**
 * Handlers of `display.prepare` and `display.cancel`: making a project's two scenes displayable
 * fast (display-cache.ts) as a job with progress, cancel and a done/failed/cancelled event, like
 * detection. One job per project at a time: a second prepare joins the running one.
 */
import { randomUUID } from 'node:crypto';
import type { ApiEvent, Channel, ParsedRequestOf, ResponseOf } from '../../common/contract.js';
import { isAbort, toErrorBody } from '../errors.js';
import { displayCacheDir } from '../raster/display-cache.js';
import type { ProjectRegistry } from './project-registry.js';

type Handled = 'display.prepare' | 'display.cancel';

export type DisplayHandlers = {
  [C in Extract<Channel, Handled>]: (req: ParsedRequestOf<C>) => Promise<ResponseOf<C>>;
};

/** Progress events at most this often per job (the last one always goes out). */
const PROGRESS_MS = 100;

export function displayHandlers(
  projects: ProjectRegistry,
  emit: (event: ApiEvent) => void,
  jobs: Map<string, AbortController>,
): DisplayHandlers {
  /** The running job of each project. */
  const running = new Map<string, string>();

  async function prepare(projectId: string, jobId: string, signal: AbortSignal): Promise<void> {
    const store = projects.store(projectId);
    const dir = displayCacheDir(store.path);
    for (const role of ['before', 'after'] as const) {
      let last = 0;
      await projects.display.ensure(store.scene(role).path, dir, {
        signal,
        onProgress: (done, total) => {
          const now = performance.now();
          if (now - last < PROGRESS_MS && done < total) return;
          last = now;
          emit({ type: 'display.progress', jobId, projectId, role, done, total });
        },
      });
    }
  }

  return {
    'display.prepare': async ({ projectId }) => {
      const store = projects.store(projectId);
      const joined = running.get(projectId);
      if (joined) return { jobId: joined };
      const dir = displayCacheDir(store.path);
      const ready = (['before', 'after'] as const).every(
        (role) => projects.display.state(store.scene(role).path, dir).kind !== 'pending',
      );
      if (ready) return { jobId: null };
      const jobId = randomUUID();
      const controller = new AbortController();
      jobs.set(jobId, controller);
      running.set(projectId, jobId);
      // The job is over before its end is told, so a prepare that follows the event finds it so.
      const finish = () => {
        jobs.delete(jobId);
        running.delete(projectId);
      };
      prepare(projectId, jobId, controller.signal)
        .then(() => {
          finish();
          emit({ type: 'display.done', jobId, projectId });
        })
        .catch((error: unknown) => {
          finish();
          if (isAbort(error)) emit({ type: 'display.cancelled', jobId, projectId });
          else emit({ type: 'display.failed', jobId, projectId, error: toErrorBody(error) });
        });
      return { jobId };
    },
    'display.cancel': async ({ jobId }) => {
      const job = [...running.values()].includes(jobId) ? jobs.get(jobId) : undefined;
      job?.abort();
      return { cancelled: job !== undefined };
    },
  };
}
