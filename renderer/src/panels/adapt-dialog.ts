/**
 * "Adapt model to this project" (key A): what the project's decisions offer (confirmed and drawn
 * patches as change, rejected ones and reviewed areas as no change), marking the scene reviewed,
 * then the adaptation job with a progress bar and Cancel, and a summary of what it learnt. The
 * adapted model becomes the project's default for its next runs (the Detect dialog shows it).
 */
import type {
  AdaptResultView,
  AdaptSummaryView,
  ApiEvent,
  LandWatchApi,
} from '../../../electron/common/contract.js';
import { describeError } from '../api/errors.js';
import { h, replaceChildren } from '../ui/dom.js';
import { createModal } from '../ui/modal.js';
import { createProgressBar } from '../ui/progress-bar.js';

export interface AdaptDialogOptions {
  api: LandWatchApi;
  projectId: () => string | null;
  /** After an adaptation: reload the project and app info so the new model is offered. */
  onAdapted(result: AdaptResultView): Promise<void>;
  report(err: unknown, context: string): void;
}

export interface AdaptDialog {
  open(): void;
  close(): void;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The summary lines of what adaptation would learn from. */
export function decisionLines(s: AdaptSummaryView): string[] {
  const reviewed = s.wholeSceneReviewed
    ? 'The whole scene is marked reviewed: everything not confirmed or drawn counts as no change.'
    : s.reviewedAreas > 0
      ? `${plural(s.reviewedAreas, 'area')} marked reviewed (no change outside the patches there).`
      : 'No area is marked reviewed: only decided patches are learnt from.';
  return [
    `Change: ${plural(s.decisions.change, 'confirmed or drawn patch', 'confirmed or drawn patches')}.`,
    `No change: ${plural(s.decisions.noChange, 'rejected patch', 'rejected patches')}.`,
    `Left out: ${plural(s.decisions.ignored, 'undecided patch', 'undecided patches')}.`,
    reviewed,
  ];
}

/** The result summary after an adaptation. */
export function resultLines(r: AdaptResultView): string[] {
  const verdict =
    r.chosen === 'adapted'
      ? 'the adapted head did best'
      : r.chosen === 'calibrated'
        ? 'the base model with a new threshold did best'
        : 'nothing beat the base model, so it is kept as it is';
  return [
    `${r.modelName} (${r.modelId}) is now this project's model.`,
    `Learnt from ${r.pixels[1].toLocaleString()} changed and ${r.pixels[0].toLocaleString()} unchanged pixels (${r.tilesRun} tiles) in ${r.seconds.toFixed(0)} s.`,
    `Held-back decisions, pixel F1: base ${r.heldBackF1.base.toFixed(2)} → ${r.heldBackF1.chosen.toFixed(2)} (${verdict}).`,
  ];
}

export function createAdaptDialog(options: AdaptDialogOptions): AdaptDialog {
  const { api } = options;
  const modal = createModal('Adapt model to this project', 'adapt-dialog');
  const summary = h('div', { class: 'adapt-summary', 'data-testid': 'adapt-summary' });
  const reason = h('p', { class: 'form-error', role: 'alert', 'data-testid': 'adapt-reason' });
  const markScene = h(
    'button',
    { class: 'btn btn-sm', type: 'button', 'data-testid': 'adapt-mark-reviewed' },
    'Mark whole scene reviewed',
  );
  const clearMarks = h('button', { class: 'btn btn-sm', type: 'button' }, 'Clear reviewed areas');
  const bar = createProgressBar('Adaptation progress', 'adapt-progress');
  const message = h('span', { class: 'progress-phase', 'data-testid': 'adapt-phase' });
  const progress = h('div', { class: 'adapt-job' }, bar.element, message);
  progress.style.display = 'none';
  const result = h('div', { class: 'adapt-result', 'data-testid': 'adapt-result' });
  const start = h(
    'button',
    { class: 'btn btn-primary', type: 'button', 'data-testid': 'adapt-start' },
    'Adapt',
  );
  const cancel = h(
    'button',
    { class: 'btn', type: 'button', hidden: true, 'data-testid': 'adapt-cancel' },
    'Cancel',
  );
  replaceChildren(
    modal.body,
    h(
      'p',
      { class: 'hint' },
      'Fits a small head on top of the change model from your decisions in this project. The base model is not changed.',
    ),
    summary,
    h('div', { class: 'field-row' }, markScene, clearMarks),
    reason,
    progress,
    result,
  );
  replaceChildren(modal.footer, cancel, start);

  let jobId: string | null = null;
  let running = false;

  function show(s: AdaptSummaryView): void {
    replaceChildren(summary, ...decisionLines(s).map((line) => h('p', {}, line)));
    reason.textContent = s.ready ? '' : (s.reason ?? '');
    start.toggleAttribute('disabled', running || !s.ready);
  }

  async function refresh(): Promise<void> {
    const projectId = options.projectId();
    if (projectId) show(await api.invoke('adapt.summary', { projectId }));
  }

  function setRunning(on: boolean): void {
    running = on;
    progress.style.display = on || message.textContent ? '' : 'none';
    cancel.hidden = !on;
    start.toggleAttribute('disabled', on);
    markScene.toggleAttribute('disabled', on);
  }

  // Events that arrive before adapt.start has answered with the job id wait here.
  let early: ApiEvent[] = [];
  api.onEvent((event: ApiEvent) => {
    if (!event.type.startsWith('adapt.')) return;
    if (running && jobId === null) early.push(event);
    else handle(event);
  });

  function handle(event: ApiEvent): void {
    if (!('jobId' in event) || event.jobId !== jobId) return;
    if (event.type === 'adapt.progress') {
      const pct = event.total > 0 ? Math.round((100 * event.done) / event.total) : 0;
      bar.set(pct);
      message.textContent = event.message;
    } else if (event.type === 'adapt.done') {
      setRunning(false);
      message.textContent = 'Done.';
      replaceChildren(result, ...resultLines(event.result).map((line) => h('p', {}, line)));
      void options
        .onAdapted(event.result)
        .catch((err: unknown) => options.report(err, 'Loading the adapted model'));
      void refresh();
    } else if (event.type === 'adapt.failed') {
      message.textContent = '';
      setRunning(false);
      reason.textContent = event.error.message;
    } else if (event.type === 'adapt.cancelled') {
      setRunning(false);
      message.textContent = 'Cancelled; nothing was written.';
    }
  }

  start.addEventListener('click', () => {
    const projectId = options.projectId();
    if (!projectId || running) return;
    replaceChildren(result);
    message.textContent = 'Starting…';
    bar.set(0);
    jobId = null;
    early = [];
    setRunning(true);
    api
      .invoke('adapt.start', { projectId })
      .then((r) => {
        jobId = r.jobId;
        const waiting = early;
        early = [];
        waiting.forEach(handle);
      })
      .catch((err: unknown) => {
        message.textContent = '';
        setRunning(false);
        reason.textContent = describeError(err).message;
      });
  });
  cancel.addEventListener('click', () => {
    if (jobId) void api.invoke('adapt.cancel', { jobId });
  });
  const mark = (clear: boolean) => {
    const projectId = options.projectId();
    if (!projectId) return;
    api
      .invoke('adapt.markReviewed', { projectId, clear })
      .then(show)
      .catch((err: unknown) => options.report(err, 'Marking the scene reviewed'));
  };
  markScene.addEventListener('click', () => mark(false));
  clearMarks.addEventListener('click', () => mark(true));

  return {
    open() {
      modal.open();
      refresh().catch((err: unknown) => options.report(err, 'Reading the decisions'));
    },
    close: () => modal.close(),
  };
}
