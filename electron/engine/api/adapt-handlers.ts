/**
 * The `adapt.*` channels: what a project's decisions offer for adapting the change model, marking
 * areas reviewed, and the adaptation job itself (a worker thread; progress, result, failure and
 * cancellation as `adapt.*` events). A finished adaptation becomes the project's model: its next
 * runs use it unless the analyst picks another (see Backend.startDetection).
 */
import { randomUUID } from 'node:crypto';
import type { ApiEvent, ParsedRequestOf, ResponseOf } from '../../common/contract.js';
import type { AdaptSummaryView } from '../../common/views.js';
import { adaptableBase } from '../adapt/adapt-model.js';
import { decisionInput } from '../adapt/project-adapt.js';
import { aoiRings } from '../inference/aoi.js';
import { LandWatchError, isAbort, toErrorBody } from '../errors.js';
import { findModel, scanModels } from '../inference/model-registry.js';
import { runAdaptJob } from '../jobs/run-adapt-job.js';
import {
  adaptedModelId,
  clearReviewed,
  markReviewed,
  setAdaptedModelId,
} from '../store/project-adaptation.js';
import type { ProjectStore } from '../store/project-store.js';

type AdaptChannel = 'adapt.summary' | 'adapt.start' | 'adapt.cancel' | 'adapt.markReviewed';
type AdaptHandlers = {
  [C in AdaptChannel]: (req: ParsedRequestOf<C>) => Promise<ResponseOf<C>>;
};

/** The installed model a project's runs use by default: its adapted model, if still installed. */
export function projectModelId(store: ProjectStore): string | null {
  const id = adaptedModelId(store.db);
  return id && scanModels().models.some((m) => m.card.id === id) ? id : null;
}

export function adaptSummary(
  store: ProjectStore,
  { counts } = decisionInput(store),
): AdaptSummaryView {
  const adapted = adaptedModelId(store.db);
  let base: string | null = null;
  let reason: string | null = null;
  try {
    base = adaptableBase(undefined).card.id;
  } catch (error) {
    reason = (error as Error).message;
  }
  if (!reason && counts.change === 0) {
    reason = 'Confirm (or draw) at least one change first.';
  } else if (!reason && counts.noChange === 0 && counts.reviewedAreas === 0) {
    reason = 'Reject at least one patch, or mark the scene reviewed, so there is "no change" too.';
  }
  return {
    decisions: { change: counts.change, noChange: counts.noChange, ignored: counts.ignored },
    reviewedAreas: counts.reviewedAreas,
    wholeSceneReviewed: counts.wholeSceneReviewed,
    adaptedModelId: adapted,
    adaptedModelInstalled: projectModelId(store) !== null,
    baseModelId: base,
    ready: reason === null,
    reason,
  };
}

export function adaptHandlers(
  storeOf: (projectId: string) => ProjectStore,
  emit: (event: ApiEvent) => void,
  jobs: Map<string, AbortController>,
  actor: () => string,
): AdaptHandlers {
  return {
    'adapt.summary': async (req) => adaptSummary(storeOf(req.projectId)),
    'adapt.markReviewed': async (req) => {
      const store = storeOf(req.projectId);
      if (req.clear) clearReviewed(store.db);
      else markReviewed(store.db, req.aoi ? aoiRings(req.aoi) : null, actor());
      return adaptSummary(store);
    },
    'adapt.cancel': async (req) => {
      const job = jobs.get(req.jobId);
      job?.abort();
      return { cancelled: job !== undefined };
    },
    'adapt.start': async (req) => {
      const store = storeOf(req.projectId);
      const input = decisionInput(store);
      const summary = adaptSummary(store, input);
      if (!summary.ready) {
        throw new LandWatchError('E_ADAPT', `${store.name}: cannot adapt yet. ${summary.reason}`);
      }
      const jobId = randomUUID();
      const controller = new AbortController();
      jobs.set(jobId, controller);
      const { projectId } = req;
      let last = 0;
      runAdaptJob(
        input,
        { baseModelId: req.baseModelId, device: req.device },
        {
          signal: controller.signal,
          onProgress: (p) => {
            const now = performance.now();
            if (now - last < 100 && p.done < p.total) return;
            last = now;
            emit({ type: 'adapt.progress', jobId, projectId, ...p });
          },
        },
      )
        .then((r) => {
          setAdaptedModelId(store.db, r.modelId);
          const model = findModel(r.modelId);
          emit({
            type: 'adapt.done',
            jobId,
            projectId,
            result: {
              modelId: r.modelId,
              modelName: model.card.name,
              baseModelId: r.base.id,
              seconds: r.seconds,
              tilesRun: r.tilesRun,
              pixels: r.pixels,
              chosen: r.fit.chosen,
              heldBackF1: { base: r.fit.heldBack.base.f1, chosen: r.fit.heldBack[r.fit.chosen].f1 },
            },
          });
        })
        .catch((error: unknown) => {
          if (isAbort(error)) emit({ type: 'adapt.cancelled', jobId, projectId });
          else emit({ type: 'adapt.failed', jobId, projectId, error: toErrorBody(error) });
        })
        .finally(() => jobs.delete(jobId));
      return { jobId };
    },
  };
}
