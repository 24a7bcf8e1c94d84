/**
 * Detection jobs as the window sees them: `detect.start` with the dialog's choices, the job's
 * events folded into the app state, and cancel — also a cancel pressed before the backend has
 * answered with the job's id, which is held and sent as soon as the id is known. Events that arrive
 * before that answer are buffered so none is lost.
 */
import type { ApiEvent, LandWatchApi } from '../../electron/common/contract.js';
import { describeError } from './api/errors.js';
import type { DetectRequest } from './panels/detect-dialog.js';
import * as S from './state.js';

export interface DetectJobs {
  start(request: DetectRequest): Promise<void>;
  cancel(): Promise<void>;
}

export function createDetectJobs(api: LandWatchApi, store: S.Store<S.AppState>): DetectJobs {
  let buffered: ApiEvent[] = [];
  let cancelRequested = false;

  api.onEvent((event) => {
    const job = store.get().job;
    if (job?.status === 'starting') buffered.push(event);
    else store.update((s) => S.applyJobEvent(s, event));
  });

  async function cancel(): Promise<void> {
    const job = store.get().job;
    if (!job) return;
    if (job.jobId === null) {
      cancelRequested = true;
      return;
    }
    const { cancelled } = await api.invoke('detect.cancel', { jobId: job.jobId });
    // The job.cancelled event normally says so; this keeps the UI right if the stream is down.
    if (cancelled) {
      const event: ApiEvent = { type: 'job.cancelled', jobId: job.jobId, projectId: job.projectId };
      store.update((s) => S.applyJobEvent(s, event));
    }
  }

  async function start(request: DetectRequest): Promise<void> {
    const project = store.get().project;
    if (!project) return;
    buffered = [];
    cancelRequested = false;
    store.update((s) => S.jobStarting(s, project.id));
    try {
      const { jobId } = await api.invoke('detect.start', {
        projectId: project.id,
        ...(request.modelId ? { modelId: request.modelId } : {}),
        threshold: request.threshold,
        minArea: request.minArea,
        device: request.device,
        ...(request.aoi ? { aoi: { type: 'Polygon' as const, coordinates: request.aoi } } : {}),
        ...(request.declutter.before || request.declutter.after
          ? { declutter: request.declutter }
          : {}),
      });
      const events = buffered;
      buffered = [];
      store.update((s) => S.jobStarted(s, jobId, events));
      if (cancelRequested) await cancel();
    } catch (err) {
      buffered = [];
      store.update((s) => S.jobFailedToStart(s, describeError(err).message));
      throw err;
    }
  }

  return { start, cancel };
}
