/**
 * Detection: choose model, threshold, minimum area and device, Start; then a progress bar with
 * phase, ETA and the execution provider in use, and Cancel (→ `detect.cancel`). Closing the dialog
 * does not stop the job; the status bar keeps showing its progress.
 */
import type { Device, ModelInfo } from '../../../electron/common/contract.js';
import { formatEta } from '../format.js';
import { jobPercent, type AppState, type JobState } from '../state.js';
import { h, replaceChildren } from '../ui/dom.js';
import { createModal } from '../ui/modal.js';
import { createProgressBar } from '../ui/progress-bar.js';
import { createAoiField, type AoiFieldOptions } from './aoi-field.js';

export interface DetectRequest {
  modelId: string | undefined;
  threshold: number;
  minArea: number;
  device: Device;
  /** Area of interest (rings in the scene CRS); null = the whole scene. */
  aoi: number[][][] | null;
  /** Haze / cloud / shadow clean-up per date before comparing (detect.start `declutter`). */
  declutter: { before: boolean; after: boolean };
}

export interface DetectDialogOptions extends Pick<AoiFieldOptions, 'draw' | 'show'> {
  onStart(request: DetectRequest): void;
  onCancel(): void;
  /** Leaves a finished/failed/cancelled job behind (back to the form). */
  onDismissJob(): void;
  /** Adds a model folder (card.json + ONNX); resolves to the new model's id, or null. */
  onAddModel(): Promise<string | null>;
}

export interface DetectDialog {
  open(): void;
  close(): void;
  update(state: AppState): void;
}

const DEVICES: { value: Device; label: string; provider: string }[] = [
  { value: 'auto', label: 'Auto (best available)', provider: '' },
  { value: 'cpu', label: 'CPU', provider: 'cpu' },
  { value: 'webgpu', label: 'WebGPU', provider: 'webgpu' },
  { value: 'cuda', label: 'CUDA (NVIDIA)', provider: 'cuda' },
  { value: 'dml', label: 'DirectML (Windows)', provider: 'dml' },
  { value: 'coreml', label: 'Core ML (macOS)', provider: 'coreml' },
];

function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  return h(
    'label',
    { class: 'field' },
    h('span', { class: 'field-label' }, label),
    control,
    hint ? h('span', { class: 'hint' }, hint) : null,
  );
}

/** "Validation F1 0.54 · object recall 0.32" from a card's flattened metrics, when it has them. */
export function modelSummary(m: ModelInfo): string {
  const f1 = m.metrics['validation.pixelF1'];
  const recall = m.metrics['validation.objectRecall'];
  const parts = [
    typeof f1 === 'number' ? `validation F1 ${f1.toFixed(2)}` : '',
    typeof recall === 'number' ? `object recall ${recall.toFixed(2)}` : '',
  ].filter(Boolean);
  return parts.length > 0 ? `Measured: ${parts.join(' · ')}` : 'No measured figures in its card.';
}

/** A model's line in the list: name, version, and what kind of model it is. */
export function modelLabel(m: ModelInfo, projectModel: string | null): string {
  const notes = [
    m.id === projectModel ? 'adapted to this project' : '',
    m.adaptedFrom && m.id !== projectModel
      ? `adapted to ${m.adaptedFrom.projectName ?? 'other imagery'}`
      : '',
    m.source === 'user' && !m.adaptedFrom ? 'added' : '',
    m.experimental ? 'experimental' : '',
  ].filter(Boolean);
  return `${m.name} ${m.version}${notes.map((n) => ` (${n})`).join('')}`;
}

export function createDetectDialog(options: DetectDialogOptions): DetectDialog {
  const modal = createModal('Detect changes', 'detect-dialog');
  const model = h('select', { class: 'input', 'data-testid': 'detect-model' });
  const threshold = h('input', {
    class: 'input',
    type: 'number',
    min: '0.01',
    max: '0.99',
    step: '0.05',
    value: '0.5',
    'data-testid': 'detect-threshold',
  });
  const minArea = h('input', {
    class: 'input',
    type: 'number',
    min: '0',
    step: '10',
    value: '50',
    'data-testid': 'detect-min-area',
  });
  const addModel = h(
    'button',
    {
      class: 'btn btn-sm',
      type: 'button',
      title: 'Add a model folder (card.json + ONNX file) to the installed models',
      'data-testid': 'detect-add-model',
    },
    'Add model folder…',
  );
  const modelFacts = h('span', { class: 'hint', 'data-testid': 'detect-model-facts' });
  const device = h('select', { class: 'input', 'data-testid': 'detect-device' });
  const cleanBox = (date: 'before' | 'after') =>
    h('input', { type: 'checkbox', 'data-testid': `detect-declutter-${date}` });
  const clean = { before: cleanBox('before'), after: cleanBox('after') };
  const aoi = createAoiField({
    draw: options.draw,
    show: options.show,
    hideDialog: () => modal.close(),
    showDialog: () => modal.open(),
  });
  const formError = h('p', { class: 'form-error', role: 'alert' });
  const form = h(
    'div',
    { class: 'form' },
    field('Model', h('span', { class: 'field-row' }, model, addModel)),
    modelFacts,
    field('Threshold', threshold, 'Probability above which a pixel counts as changed (0–1).'),
    field('Minimum area (m²)', minArea, 'Smaller patches are dropped.'),
    field('Device', device),
    field(
      'Clean up haze/shadow',
      h(
        'span',
        { class: 'field-row' },
        h('label', { class: 'check' }, clean.before, 'before date'),
        h('label', { class: 'check' }, clean.after, 'after date'),
      ),
      'Removes haze, thin cloud and shadows from a date first, so they are not taken for change.',
    ),
    aoi.element,
    formError,
  );

  const progressBar = createProgressBar('Detection progress', 'detect-progress');
  const bar = progressBar.element;
  const percentText = h('span', { class: 'progress-percent' });
  const phase = h('span', { class: 'progress-phase', 'data-testid': 'detect-phase' });
  const eta = h('span', { class: 'muted' });
  const ep = h('span', { class: 'ep', 'data-testid': 'detect-ep' });
  const cleanedFact = h('dd', { 'data-testid': 'detect-declutter-summary' });
  const jobError = h('p', { class: 'form-error', role: 'alert' });
  const progress = h(
    'div',
    { class: 'detect-progress' },
    h('div', { class: 'progress-line' }, phase, percentText),
    bar,
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Remaining'),
      h('dd', {}, eta),
      h('dt', {}, 'Running on'),
      h('dd', {}, ep),
      h('dt', {}, 'Haze/shadow clean-up'),
      cleanedFact,
    ),
    jobError,
  );

  const start = h(
    'button',
    { class: 'btn btn-primary', type: 'button', 'data-testid': 'detect-start' },
    'Start',
  );
  const cancel = h(
    'button',
    { class: 'btn btn-danger', type: 'button', 'data-testid': 'detect-cancel' },
    'Cancel',
  );
  const back = h('button', { class: 'btn', type: 'button' }, 'New detection');
  const close = h('button', { class: 'btn', type: 'button' }, 'Close');
  modal.body.append(form, progress);
  modal.footer.append(back, close, cancel, start);

  start.addEventListener('click', () => {
    const t = Number(threshold.value);
    const a = Number(minArea.value);
    if (!(t > 0 && t < 1)) {
      formError.textContent = 'Threshold must be between 0 and 1 (for example 0.5).';
      return;
    }
    if (!(a >= 0) || !Number.isFinite(a)) {
      formError.textContent = 'Minimum area must be a number of square metres, 0 or more.';
      return;
    }
    formError.textContent = '';
    const declutter = { before: clean.before.checked, after: clean.after.checked };
    const dates = (['before', 'after'] as const).filter((d) => declutter[d]);
    cleanedFact.textContent = dates.length ? `${dates.join(' and ')} date` : 'none';
    options.onStart({
      // Left on the preselected model, the engine chooses (the project's own model, else the
      // default, or on CPU its faster int8 variant where one kept its accuracy).
      modelId: (modelPicked && model.value) || undefined,
      threshold: t,
      minArea: a,
      device: device.value as Device,
      aoi: aoi.value(),
      declutter,
    });
  });
  addModel.addEventListener('click', () => {
    addModel.disabled = true;
    void options.onAddModel().then((added) => {
      addModel.disabled = false;
      if (added) pendingModel = added;
    });
  });
  model.addEventListener('change', () => {
    modelPicked = true;
    showModelFacts();
  });
  threshold.addEventListener('input', () => {
    thresholdEdited = true;
  });
  cancel.addEventListener('click', () => options.onCancel());
  back.addEventListener('click', () => options.onDismissJob());
  close.addEventListener('click', () => modal.close());

  let infoShown: AppState['info'] = null;
  /** Opened while Start was disabled (no project yet): focus it when the project arrives. */
  let focusStartWhenReady = false;
  /** A model just added: selected once the new app info lists it. */
  let pendingModel: string | null = null;
  /** Whether the user chose the model (else the preselected one is left to the engine). */
  let modelPicked = false;
  /** Whether the user typed a threshold (else it follows the chosen model's card). */
  let thresholdEdited = false;

  /**
   * The chosen model's measured validation figures (from its card), so users can compare, and
   * its card's threshold unless the user set one.
   */
  function showModelFacts(): void {
    const chosen = infoShown?.models.find((m) => m.id === model.value);
    modelFacts.textContent = chosen ? modelSummary(chosen) : '';
    if (chosen && !thresholdEdited) threshold.value = String(chosen.threshold);
  }

  let adaptedShown: string | null | undefined;

  function fillChoices(state: AppState): void {
    const adapted = state.project?.adaptedModelId ?? null;
    if (state.info === infoShown && adapted === adaptedShown) return;
    infoShown = state.info;
    adaptedShown = adapted;
    const models = state.info?.models ?? [];
    replaceChildren(
      model,
      ...(models.length === 0 ? [h('option', { value: '' }, 'Default model')] : []),
      ...models.map((m) =>
        h('option', { value: m.id, title: m.description }, modelLabel(m, adapted)),
      ),
    );
    // A project adapted to its decisions runs its own model by default.
    const own = adapted && models.some((m) => m.id === adapted) ? adapted : null;
    if (own ?? state.info?.defaultModelId) model.value = (own ?? state.info?.defaultModelId)!;
    modelPicked = false;
    if (pendingModel && models.some((m) => m.id === pendingModel)) {
      model.value = pendingModel;
      modelPicked = true;
    }
    pendingModel = null;
    showModelFacts();
    const available = (state.info?.executionProviders ?? []).map((p) => p.toLowerCase());
    replaceChildren(
      device,
      ...DEVICES.map((d) => {
        const missing =
          d.provider !== '' &&
          available.length > 0 &&
          !available.some((p) => p.includes(d.provider));
        return h('option', { value: d.value }, missing ? `${d.label} — not available` : d.label);
      }),
    );
  }

  function showJob(job: JobState | null): void {
    const running = job !== null && (job.status === 'starting' || job.status === 'running');
    form.hidden = job !== null;
    progress.hidden = job === null;
    start.hidden = job !== null;
    cancel.hidden = !running;
    cancel.disabled = !running;
    back.hidden = job === null || running;
    if (!job) return;
    const percent = jobPercent(job);
    progressBar.set(percent);
    bar.classList.toggle(
      'indeterminate',
      job.status === 'starting' || (running && job.total === 0),
    );
    percentText.textContent =
      job.total > 0 ? `${percent}% · ${job.done} / ${job.total}` : `${percent}%`;
    phase.textContent = job.phase;
    eta.textContent = running ? formatEta(job.etaSeconds) : '—';
    ep.textContent = job.executionProvider ?? (running ? 'choosing…' : '—');
    jobError.textContent = job.status === 'failed' ? (job.error ?? 'Detection failed.') : '';
    jobError.hidden = job.status !== 'failed';
  }

  return {
    open() {
      modal.open();
      (form.hidden ? cancel : start).focus();
      focusStartWhenReady = !form.hidden && start.disabled;
    },
    close: () => modal.close(),
    update(state) {
      fillChoices(state);
      showJob(state.job);
      start.disabled = !state.project;
      // Opened (R) before the project finished loading: Start takes the focus once it can.
      if (focusStartWhenReady && !start.disabled) {
        focusStartWhenReady = false;
        if (modal.isOpen() && !form.hidden) start.focus();
      }
    },
  };
}
