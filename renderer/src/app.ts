/**
 * Wires the window together: the store, the API, the map and the panels. Every action that calls
 * the backend goes through `guard`, so a failure always reaches the error banner.
 */
import type {
  ApiEvent,
  LandWatchApi,
  ProjectView,
  ReviewState,
} from '../../electron/common/contract.js';
import type { Transport } from './api/index.js';
import { describeError } from './api/errors.js';
import type { Command } from './keys.js';
import { createMapView } from './map/map-view.js';
import { createDetectDialog, type DetectRequest } from './panels/detect-dialog.js';
import { createExportDialog } from './panels/export-dialog.js';
import { createHelpOverlay } from './panels/help.js';
import { createOpenDialog } from './panels/open-dialog.js';
import { createQueuePanel } from './panels/queue.js';
import { createReviewPanel } from './panels/review.js';
import * as S from './state.js';
import { createStatusBar } from './status-bar.js';
import { h } from './ui/dom.js';
import { createErrorBanner } from './ui/error-banner.js';
import { anyModalOpen, promptComment } from './ui/modal.js';
import { bindShortcuts } from './ui/shortcuts.js';
import { createToolbar } from './ui/toolbar.js';

export function startApp(root: HTMLElement, api: LandWatchApi, transport: Transport): void {
  const store = S.createStore(S.initialState);
  const banner = createErrorBanner();
  const report = (err: unknown, context?: string) => banner.show(err, context);
  const guard = (context: string, action: () => Promise<unknown>) => {
    action().catch((err: unknown) => report(err, context));
  };
  const httpMode = () => (store.get().info?.transport ?? transport) === 'http';

  // --- project & patches -------------------------------------------------------------------
  async function loadProject(project: ProjectView, runId?: string): Promise<void> {
    const run = project.runs.find((r) => r.id === runId) ?? S.latestRun(project);
    const patches = run
      ? await api.invoke('patches.list', { projectId: project.id, runId: run.id })
      : [];
    const isNew = store.get().project?.id !== project.id;
    store.update((s) =>
      S.setProject(isNew ? S.select(s, null) : s, project, run?.id ?? null, patches),
    );
    if (isNew) {
      mapView.showProject(project).catch((err: unknown) => report(err, 'Showing the imagery'));
    }
  }

  function selectAndZoom(id: string | null): void {
    store.update((s) => S.select(s, id));
    if (id) mapView.zoomToPatch(id);
  }

  function move(delta: 1 | -1): void {
    const before = store.get().selectedId;
    store.update((s) => S.moveSelection(s, delta));
    const after = store.get().selectedId;
    if (after && after !== before) mapView.zoomToPatch(after);
  }

  // Reviews run one after another, each on the selection of its turn: pressing C three times
  // confirms three patches in queue order even if the backend is slow.
  let reviewChain: Promise<void> = Promise.resolve();
  function review(state: ReviewState, comment?: string): void {
    reviewChain = reviewChain.then(async () => {
      const s = store.get();
      const patch = S.selectedPatch(s);
      if (!patch || !s.project) return;
      try {
        const updated = await api.invoke('patches.review', {
          projectId: s.project.id,
          patchId: patch.id,
          state,
          ...(comment !== undefined ? { comment } : {}),
        });
        store.update((st) => S.applyReview(st, updated));
        if (state !== 'unreviewed' && store.get().selectedId === patch.id) move(1);
      } catch (err) {
        report(err, `Reviewing patch #${patch.number}`);
      }
    });
  }

  async function rejectWithComment(): Promise<void> {
    const patch = S.selectedPatch(store.get());
    if (!patch) return;
    const comment = await promptComment(`Reject patch #${patch.number}`);
    if (comment !== null) review('rejected', comment || undefined);
  }

  // --- detection jobs ----------------------------------------------------------------------
  let buffered: ApiEvent[] = [];
  let cancelRequested = false;

  api.onEvent((event) => {
    const job = store.get().job;
    if (job?.status === 'starting') buffered.push(event);
    else store.update((s) => S.applyJobEvent(s, event));
  });

  async function startDetect(request: DetectRequest): Promise<void> {
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
      });
      const events = buffered;
      buffered = [];
      store.update((s) => S.jobStarted(s, jobId, events));
      if (cancelRequested) await cancelDetect();
    } catch (err) {
      buffered = [];
      store.update((s) => S.jobFailedToStart(s, describeError(err).message));
      throw err;
    }
  }

  async function cancelDetect(): Promise<void> {
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

  async function finishJob(job: S.JobState): Promise<void> {
    detectDialog.close();
    const project = await api.invoke('project.get', { projectId: job.projectId });
    await loadProject(project, job.run?.id);
    store.update((s) => (s.job?.jobId === job.jobId ? S.clearJob(s) : s));
  }

  // --- views ---------------------------------------------------------------------------------
  const mapView = createMapView({
    onSelect: (id) => store.update((s) => S.select(s, id)),
    onCursor: (position) => statusBar.setCursor(position),
    onError: (message) => report(new Error(message), 'Imagery'),
  });
  const help = createHelpOverlay();
  const openDialog = createOpenDialog({
    typedPaths: httpMode,
    pickImage: (role, path) => api.invoke('file.pickImage', { role, ...(path ? { path } : {}) }),
    create: (name, beforeToken, afterToken) =>
      api.invoke('project.create', { name, beforeToken, afterToken }),
    onCreated: (project) => guard('Opening the new project', () => loadProject(project)),
    onError: report,
  });
  const detectDialog = createDetectDialog({
    onStart: (request) => guard('Starting detection', () => startDetect(request)),
    onCancel: () => guard('Cancelling detection', cancelDetect),
    onDismissJob: () => store.update(S.clearJob),
  });
  const exportDialog = createExportDialog({
    locationIsUrl: httpMode,
    run: (format, states) => {
      const project = store.get().project;
      if (!project) return Promise.resolve(null);
      return api.invoke('export.run', {
        projectId: project.id,
        format,
        ...(states ? { states } : {}),
      });
    },
    onError: report,
  });
  const toolbar = createToolbar({
    openDemo: () =>
      guard('Opening the demo project', async () =>
        loadProject(await api.invoke('project.openDemo', {})),
      ),
    newProject: () => openDialog.open(),
    detect: () => detectDialog.open(),
    exportPatches: () => exportDialog.open(),
    setCompareMode: (mode) => store.update((s) => ({ ...s, compareMode: mode })),
    help: () => help.toggle(),
  });
  const queue = createQueuePanel({
    onSelect: selectAndZoom,
    onFilter: (filters) => store.update((s) => S.setFilters(s, filters)),
  });
  const reviewPanel = createReviewPanel({
    onReview: review,
    onZoom: () => {
      const id = store.get().selectedId;
      if (id) mapView.zoomToPatch(id);
    },
  });
  const statusBar = createStatusBar();

  root.replaceChildren(
    toolbar.element,
    banner.element,
    h(
      'main',
      { class: 'workspace' },
      mapView.element,
      h('aside', { class: 'sidebar' }, queue.element, reviewPanel.element),
    ),
    statusBar.element,
  );

  const render = (state: S.AppState, previous: S.AppState) => {
    toolbar.update(state);
    queue.update(state);
    reviewPanel.update(state);
    statusBar.update(state);
    detectDialog.update(state);
    if (state.patches !== previous.patches) mapView.setPatches(state.patches);
    if (state.selectedId !== previous.selectedId) mapView.setSelected(state.selectedId);
    if (state.compareMode !== previous.compareMode) mapView.setCompareMode(state.compareMode);
    const job = state.job;
    if (job && job.status !== previous.job?.status && job.jobId !== null) {
      if (job.status === 'done') guard('Loading the detection results', () => finishJob(job));
      if (job.status === 'failed') {
        report(new Error(job.error ?? 'Detection failed.'), 'Detection');
      }
    }
  };
  store.subscribe(render);
  render(store.get(), S.initialState);

  bindShortcuts((command: Command) => {
    switch (command) {
      case 'next':
        return move(1);
      case 'prev':
        return move(-1);
      case 'confirm':
        return review('confirmed');
      case 'field_check':
        return review('field_check');
      case 'unreview':
        return review('unreviewed');
      case 'reject':
        return void rejectWithComment();
      case 'zoom': {
        const id = store.get().selectedId;
        return id ? mapView.zoomToPatch(id) : undefined;
      }
      case 'toggle_compare':
        return store.update(S.toggleCompareMode);
      case 'flicker':
        if (store.get().compareMode !== 'flicker')
          store.update((st) => ({ ...st, compareMode: 'flicker' }));
        else mapView.flicker();
        return;
      case 'help':
        // Toggles help, but never stacks it over another open dialog.
        return help.isOpen() || !anyModalOpen() ? help.toggle() : undefined;
      case 'close':
        return help.close();
    }
  });

  window.addEventListener('unhandledrejection', (event) =>
    report(event.reason, 'Unexpected error'),
  );
  window.addEventListener('error', (event) => {
    // Browsers report this benign layout notice as an error; it is not the analyst's concern.
    if (/ResizeObserver loop/.test(event.message)) return;
    report(event.error ?? event.message, 'Unexpected error');
  });

  // --- start: app info, then the demo project the backend prepares on first start -----------
  guard('Starting LandWatch', async () => {
    try {
      const info = await api.invoke('app.info', {});
      store.update((s) => ({ ...s, info }));
    } catch (err) {
      report(err, 'Reading app info');
    }
    await loadProject(await api.invoke('project.openDemo', {}));
  });
}
