/**
 * Wires the window together: the store, the API, the map and the panels. Every action that calls
 * the backend goes through `guard`, so a failure always reaches the error banner.
 */
import type {
  LandWatchApi,
  PatchFilter,
  PatchView,
  ProjectView,
} from '../../electron/common/contract.js';
import type { Transport } from './api/index.js';
import type { Command } from './keys.js';
import { hoverLines } from './format.js';
import { createPatchActions } from './patch-actions.js';
import { createMapView } from './map/map-view.js';
import { createAttributeForm } from './panels/attributes.js';
import { createEditBar } from './panels/edit-bar.js';
import { createDetectJobs } from './detect-jobs.js';
import { createDisplayPrep } from './display-prep.js';
import { createAdaptDialog } from './panels/adapt-dialog.js';
import { createDetectDialog } from './panels/detect-dialog.js';
import { createProjectExport } from './project-export.js';
import { createHelpOverlay } from './panels/help.js';
import { createHistoryPanel } from './panels/history-panel.js';
import { createImageryPanel } from './panels/imagery-panel.js';
import { createOpenDialog } from './panels/open-dialog.js';
import { createProjectsDialog, startProject } from './panels/projects-dialog.js';
import { createQueuePanel } from './panels/queue.js';
import { markRange } from './multi-select.js';
import { createQueueDesk } from './queue-desk.js';
import { createReferencePanel } from './panels/reference-layers.js';
import { createReviewPanel } from './panels/review.js';
import { createRankReason } from './panels/rank-reason.js';
import { createSimilarPanel } from './panels/similar-panel.js';
import * as S from './state.js';
import { createStatusBar } from './status-bar.js';
import { h } from './ui/dom.js';
import { createErrorBanner } from './ui/error-banner.js';
import { anyModalOpen, promptComment } from './ui/modal.js';
import { createTeamDesk } from './team/team-desk.js';
import { bindShortcuts } from './ui/shortcuts.js';
import { createToolbar } from './ui/toolbar.js';

export function startApp(root: HTMLElement, api: LandWatchApi, transport: Transport): void {
  const store = S.createStore(S.initialState);
  const banner = createErrorBanner();
  const team = createTeamDesk({
    api,
    store,
    report: (err, context) => banner.show(err, context),
    reloadQueue: reloadPatches,
    lock: (reason) => reviewPanel.setLocked(reason),
  });

  // A team project's refused write shows in the patch panel instead (team/team-desk.ts).
  const report = (err: unknown, context?: string) => {
    if (!team.writeFailed(err)) banner.show(err, context);
  };
  const guard = (context: string, action: () => Promise<unknown>) => {
    action().catch((err: unknown) => report(err, context));
  };
  const httpMode = () => (store.get().info?.transport ?? transport) === 'http';

  // --- project & patches -------------------------------------------------------------------
  /**
   * Every live patch in queue order, a page of 1000 at a time: of all runs (old decisions stay),
   * or of the run the run filter names (with those a later run superseded).
   */
  async function loadQueue(projectId: string, runId: string): Promise<PatchView[]> {
    const patches: PatchView[] = [];
    for (let offset = 0; ; offset += 1000) {
      const page = await api.invoke('patches.queue', {
        projectId,
        filter: withReference(projectId, runId === 'all' ? {} : { runIds: [runId] }),
        offset,
        limit: 1000,
      });
      patches.push(...page.items);
      if (page.items.length === 0 || patches.length >= page.total) return patches;
    }
  }

  async function refreshCounts(projectId: string): Promise<void> {
    // The learnt ranking is refitted by the backend when decisions changed, so it rides along.
    const [summary, history, learnt] = await Promise.all([
      api.invoke('patches.summary', { projectId }),
      api.invoke('history.list', { projectId, limit: 1 }),
      // A ranking that fails must not stop the counts; its column then stays "—".
      api.invoke('rank.learnt', { projectId }).catch((err: unknown) => {
        report(err, 'Learning the queue ranking');
        return null;
      }),
    ]);
    store.update((s) =>
      s.project?.id === projectId ? { ...s, summary, history: history.status, learnt } : s,
    );
  }

  async function loadProject(project: ProjectView, runId?: string): Promise<void> {
    const run = project.runs.find((r) => r.id === runId) ?? S.latestRun(project);
    // A run filter naming a run of another project (or none left) falls back to all runs.
    const filterRun = store.get().filters.runId;
    const runFilter = project.runs.some((r) => r.id === filterRun) ? filterRun : 'all';
    if (runFilter !== filterRun) store.update((s) => S.setFilters(s, { runId: runFilter }));
    // A project new to the window: its imagery starts loading alongside the queue.
    if (store.get().project?.id !== project.id) {
      showImagery(project).catch((err: unknown) => report(err, 'Showing the imagery'));
    }
    const [patches, codeLists] = await Promise.all([
      loadQueue(project.id, runFilter),
      api.invoke('codeLists.get', { projectId: project.id }),
    ]);
    const isNew = store.get().project?.id !== project.id;
    store.update((s) => ({
      ...S.setProject(isNew ? S.select(s, null) : s, project, run?.id ?? null, patches),
      codeLists,
      ...(isNew ? { marked: [], editMode: 'select' as const, learnt: null } : {}),
    }));
    await refreshCounts(project.id);
  }

  /** The project on the map; scenes that need a display copy get it first (display-prep.ts). */
  let imageryOf: string | null = null;
  async function showImagery(project: ProjectView): Promise<void> {
    imageryOf = project.id;
    await mapView.showProject(project);
    const ready = await displayPrep.prepare(project);
    // Unless another project has been opened meanwhile.
    if (ready && ready !== project && imageryOf === project.id) {
      await mapView.showProject(ready, true);
    }
  }

  /** Loads the queue again for the run filter (a superseded run's patches are not held). */
  async function reloadPatches(): Promise<void> {
    const { project, runId, filters } = store.get();
    if (!project) return;
    const patches = await loadQueue(project.id, filters.runId);
    store.update((s) =>
      s.project?.id === project.id && s.filters.runId === filters.runId
        ? S.setProject(s, s.project, runId, patches)
        : s,
    );
  }

  const actions = createPatchActions({
    api,
    store,
    report,
    readVersions: (patch) => team.expectVersions(patch),
    map: {
      zoomToPatch: (id) => mapView.zoomToPatch(id),
      showStored: (s) => {
        mapView.resetPatches(s.patches);
        mapView.setEditMode(s.editMode, s.selectedId);
      },
    },
    refreshCounts,
    withReference: (projectId, filter) => withReference(projectId, filter),
  });
  const { edit, move, review, selectAndZoom, toggleHeat } = actions;

  // --- detection jobs ----------------------------------------------------------------------
  const jobs = createDetectJobs(api, store);

  async function finishJob(job: S.JobState): Promise<void> {
    detectDialog.close();
    const project = await api.invoke('project.get', { projectId: job.projectId });
    await loadProject(project, job.run?.id);
    store.update((s) => (s.job?.jobId === job.jobId ? S.clearJob(s) : s));
  }

  // --- views ---------------------------------------------------------------------------------
  const mapView = createMapView({
    onSelect: (id) => store.update((s) => S.select(s, id)),
    onMark: (id) => store.update((s) => S.toggleMarked(s, id)),
    onGeometry: (patchId, rings) =>
      edit('Saving the vertices', (projectId) =>
        api.invoke('patches.setGeometry', {
          projectId,
          patchId,
          geometry: { type: 'Polygon', coordinates: rings },
        }),
      ),
    onCreate: (rings) => {
      store.update((s) => ({ ...s, editMode: 'select' }));
      edit('Drawing a patch', (projectId) =>
        api.invoke('patches.create', {
          projectId,
          geometry: { type: 'Polygon', coordinates: rings },
          state: 'confirmed',
        }),
      );
    },
    onSplit: (patchId, line) => {
      store.update((s) => ({ ...s, editMode: 'select' }));
      edit('Splitting the patch', (projectId) =>
        api.invoke('patches.split', { projectId, patchId, line }),
      );
    },
    onCursor: (position) => statusBar.setCursor(position),
    onError: (message) => report(new Error(message), 'Imagery'),
    describePatch: (patch) =>
      hoverLines(patch, (code) => {
        const entry = store.get().codeLists?.changeClass.find((c) => c.code === code);
        return entry ? entry.label : null;
      }),
    onImagery: (imagery) => imageryPanel.setImagery(imagery),
  });
  const displayPrep = createDisplayPrep(api);
  mapView.element.append(displayPrep.element);
  const imageryPanel = createImageryPanel();
  const help = createHelpOverlay();
  const openDialog = createOpenDialog({
    typedPaths: httpMode,
    pickImage: (role, path) => api.invoke('file.pickImage', { role, ...(path ? { path } : {}) }),
    create: (name, beforeToken, afterToken) =>
      api.invoke('project.create', { name, beforeToken, afterToken }),
    onCreated: (project) => guard('Opening the new project', () => loadProject(project)),
    onError: report,
  });
  const projectsDialog = createProjectsDialog({
    api,
    typedPaths: httpMode,
    currentId: () => store.get().project?.id ?? null,
    onOpen: (project) => guard('Opening the project', () => loadProject(project)),
    onRenamed: (project) =>
      store.update((s) => ({
        ...s,
        project: { ...project, runs: s.project?.runs ?? project.runs },
      })),
    onClosed: () => store.update((s) => ({ ...S.initialState, info: s.info, filters: s.filters })),
    newProject: () => openDialog.open(),
    onError: report,
  });
  /** Adds a model folder: a folder dialog on the desktop, a typed path on the served app. */
  async function addModelFolder(): Promise<string | null> {
    try {
      let path: string | undefined;
      if (httpMode()) {
        const typed = await promptComment(
          'Model folder on this machine (card.json + ONNX file)',
          '/path/to/model-folder',
        );
        if (!typed) return null;
        path = typed;
      }
      const added = await api.invoke('models.add', path ? { path } : {});
      if (!added) return null;
      const info = await api.invoke('app.info', {});
      store.update((s) => ({ ...s, info }));
      return added.id;
    } catch (err) {
      report(err, 'Adding a model folder');
      return null;
    }
  }
  const detectDialog = createDetectDialog({
    draw: (shape) => mapView.drawAoi(shape),
    show: (rings) => mapView.showAoi(rings),
    onStart: (request) => guard('Starting detection', () => jobs.start(request)),
    onCancel: () => guard('Cancelling detection', () => jobs.cancel()),
    onDismissJob: () => store.update(S.clearJob),
    onAddModel: () => addModelFolder(),
  });
  const adaptDialog = createAdaptDialog({
    api,
    projectId: () => store.get().project?.id ?? null,
    onAdapted: async () => {
      const projectId = store.get().project?.id;
      if (!projectId) return;
      const [info, project] = await Promise.all([
        api.invoke('app.info', {}),
        api.invoke('project.get', { projectId }),
      ]);
      store.update((s) => ({
        ...s,
        info,
        project: s.project?.id === projectId ? { ...s.project, ...project } : s.project,
      }));
    },
    report,
  });
  const exportDialog = createProjectExport(api, store, httpMode, report);
  const toolbar = createToolbar({
    openDemo: () =>
      guard('Opening the demo project', async () =>
        loadProject(await api.invoke('project.openDemo', {})),
      ),
    projects: () => projectsDialog.open(),
    newProject: () => openDialog.open(),
    detect: () => detectDialog.open(),
    adapt: () => adaptDialog.open(),
    exportPatches: () => exportDialog.open(),
    setCompareMode: (mode) => store.update((s) => ({ ...s, compareMode: mode })),
    toggleHeat,
    toggleImagery: () => imageryPanel.toggle(),
    help: () => help.toggle(),
  });
  const desk = createQueueDesk({
    api,
    store,
    actions,
    centerOn: (point) => mapView.centerOn(point),
    referenceLayer: (projectId) => referencePanel.filter(projectId)?.layerId ?? null,
    report,
  });
  const queue = createQueuePanel({
    bar: desk.bar.element,
    onSelect: selectAndZoom,
    onMark: (id) => store.update((s) => S.toggleMarked(s, id)),
    onRange: (id) => store.update((s) => markRange(s, id)),
    onSort: (sort) => desk.setSort(sort),
    onFilter: (filters) => {
      const runChanged = filters.runId !== undefined && filters.runId !== store.get().filters.runId;
      store.update((s) => S.setFilters(s, filters));
      if (runChanged) guard('Loading the patches of the run', reloadPatches);
    },
  });
  // The reference-layer queue filter (inside / outside a layer) is applied by the backend, so it
  // rides along with every queue load and every J / K step.
  const referencePanel = createReferencePanel({
    api,
    map: mapView.reference,
    typedPaths: httpMode,
    onFilter: () => guard('Filtering by reference layer', reloadPatches),
    onError: (err, context) => report(err, context),
  });
  function withReference(projectId: string, filter: PatchFilter): PatchFilter {
    const overlap = referencePanel.filter(projectId);
    const teamFilter = { ...filter, ...team.filter() };
    return overlap ? { ...teamFilter, referenceOverlap: overlap } : teamFilter;
  }
  const rankReason = createRankReason(api);
  const reviewPanel = createReviewPanel({
    extra: h('div', {}, team.panel, rankReason.element),
    onReview: review,
    onZoom: () => {
      const id = store.get().selectedId;
      if (id) mapView.zoomToPatch(id);
    },
  });
  const similarPanel = createSimilarPanel({
    api,
    select: (id) => {
      if (!store.get().patches.some((p) => p.id === id)) return false;
      selectAndZoom(id);
      return true;
    },
    edit,
    report,
  });
  const statusBar = createStatusBar();
  const attributeForm = createAttributeForm({
    save: async (patchId, attributes) => {
      const projectId = store.get().project?.id;
      if (!projectId) return;
      const result = await api.invoke('patches.setAttributes', {
        projectId,
        patchIds: [patchId],
        attributes,
      });
      store.update((s) => S.applyEdit(s, result));
      await refreshCounts(projectId);
    },
  });
  const editBar = createEditBar((command) => runCommand(command, ''));
  const historyPanel = createHistoryPanel({
    api,
    projectId: () => store.get().project?.id ?? null,
    edit,
    onError: report,
  });

  root.replaceChildren(
    toolbar.element,
    banner.element,
    h(
      'main',
      { class: 'workspace' },
      mapView.element,
      h(
        'aside',
        { class: 'sidebar' },
        imageryPanel.element,
        queue.element,
        team.packages,
        reviewPanel.element,
        similarPanel.hint,
        similarPanel.element,
        editBar.element,
        historyPanel.element,
        attributeForm.element,
        referencePanel.overlaps,
        referencePanel.element,
      ),
    ),
    statusBar.element,
  );

  const render = (state: S.AppState, previous: S.AppState) => {
    toolbar.update(state);
    desk.bar.update(state);
    queue.update(state);
    reviewPanel.update(state);
    team.update(state, previous);
    rankReason.update(state);
    similarPanel.update(state);
    attributeForm.update(state);
    referencePanel.update(state);
    editBar.update(state);
    historyPanel.update(state);
    statusBar.update(state);
    detectDialog.update(state);
    if (state.patches !== previous.patches) mapView.setPatches(state.patches);
    if (state.selectedId !== previous.selectedId) mapView.setSelected(state.selectedId);
    if (state.compareMode !== previous.compareMode) mapView.setCompareMode(state.compareMode);
    if (
      state.heat !== previous.heat ||
      state.project !== previous.project ||
      state.filters.runId !== previous.filters.runId
    ) {
      mapView.setHeat(state.heat ? (S.heatRun(state)?.probabilityUrl ?? null) : null);
    }
    if (state.marked !== previous.marked) mapView.setMarked(state.marked);
    if (
      state.editMode !== previous.editMode ||
      (state.editMode !== 'select' && state.selectedId !== previous.selectedId)
    ) {
      mapView.setEditMode(state.editMode, state.selectedId);
    }
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

  function runCommand(command: Command, key: string): void {
    switch (command) {
      case 'next':
        return void move(1);
      case 'prev':
        return void move(-1);
      case 'confirm':
        return desk.review('confirmed');
      case 'field_check':
        return desk.review('field_check');
      case 'unreview':
        return desk.review('unreviewed');
      case 'reject':
        return desk.review('rejected');
      case 'select_all':
        return desk.selectAll();
      case 'goto':
        return desk.goTo();
      case 'history':
        return historyPanel.toggle();
      case 'measure':
        return void mapView.cycleMeasure();
      case 'zoom': {
        const id = store.get().selectedId;
        return id ? mapView.zoomToPatch(id) : undefined;
      }
      case 'toggle_compare':
        return store.update(S.toggleCompareMode);
      case 'heat':
        return toggleHeat();
      case 'imagery':
        return imageryPanel.toggle();
      case 'side_by_side':
        return store.update((st) => ({
          ...st,
          compareMode: st.compareMode === 'side' ? 'swipe' : 'side',
        }));

      case 'flicker':
        if (store.get().compareMode !== 'flicker')
          store.update((st) => ({ ...st, compareMode: 'flicker' }));
        else mapView.flicker();
        return;
      case 'help':
        // Toggles help, but never stacks it over another open dialog.
        return help.isOpen() || !anyModalOpen() ? help.toggle() : undefined;
      case 'close':
        help.close();
        desk.clear();
        return store.update((s) => (s.editMode === 'select' ? s : { ...s, editMode: 'select' }));
      case 'set_class':
        return desk.setClassByKey(key);
      case 'note':
        return attributeForm.focusNote();
      case 'modify':
        return actions.toggleTool('modify');
      case 'draw':
        return actions.toggleTool('draw');
      case 'split':
        return actions.toggleTool('split');
      case 'merge':
        return actions.mergeMarked();
      case 'delete':
        return actions.deleteSelected();
      case 'undo':
        return actions.undoRedo('undo');
      case 'redo':
        return actions.undoRedo('redo');
      case 'similar':
        return similarPanel.findSimilar();
      case 'adapt':
        return adaptDialog.open();
      case 'detect':
        detectDialog.open();
        return;
      case 'inherit':
        return similarPanel.inherit();
    }
  }
  bindShortcuts(runCommand);

  window.addEventListener('unhandledrejection', (event) =>
    report(event.reason, 'Unexpected error'),
  );
  window.addEventListener('error', (event) => {
    // Browsers report this benign layout notice as an error; it is not the analyst's concern.
    if (/ResizeObserver loop/.test(event.message)) return;
    report(event.error ?? event.message, 'Unexpected error');
  });

  // --- start: app info, then the last project (or the demo, prepared on first start) -----------
  guard('Starting LandWatch', async () => {
    try {
      const info = await api.invoke('app.info', {});
      store.update((s) => ({ ...s, info }));
    } catch (err) {
      report(err, 'Reading app info');
    }
    // `?project=<id>` opens a project the server already has open (used by the 10,000-patch test).
    const wanted = new URLSearchParams(window.location.search).get('project');
    // Otherwise the last project opened (and not closed), else the demo.
    const project = wanted
      ? await api.invoke('project.get', { projectId: wanted })
      : await startProject(api);
    await loadProject(project);
  });

  // Test hook, only with `?e2e`: where a scene coordinate is on screen (for vertex drags).
  if (new URLSearchParams(window.location.search).has('e2e')) {
    (window as unknown as { landwatchE2E: object }).landwatchE2E = {
      pixelOf: (coordinate: number[]) => mapView.pixelOf(coordinate),
    };
  }
}
