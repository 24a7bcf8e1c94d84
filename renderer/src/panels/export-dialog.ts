/**
 * Export: format (GeoPackage / GeoJSON / Shapefile) and which review states, then `export.run`.
 * Over HTTP the result is a URL offered as a download link; in the desktop app it is the path the
 * file was saved to (main asked where in a save dialog).
 */
import type { ExportFormat, ExportResult, ReviewState } from '../../../electron/common/contract.js';
import { describeError } from '../api/errors.js';
import { stateLabel } from '../format.js';
import { h, replaceChildren } from '../ui/dom.js';
import { createModal } from '../ui/modal.js';

export interface ExportDialogOptions {
  /** True when `location` is a URL to download (HTTP transport). */
  locationIsUrl(): boolean;
  run(format: ExportFormat, states: ReviewState[] | undefined): Promise<ExportResult | null>;
  onError(err: unknown, context: string): void;
}

export interface ExportDialog {
  open(): void;
}

const FORMATS: { value: ExportFormat; label: string }[] = [
  { value: 'gpkg', label: 'GeoPackage (.gpkg)' },
  { value: 'geojson', label: 'GeoJSON (.geojson)' },
  { value: 'shp', label: 'Shapefile (.zip)' },
];

const STATES: ReviewState[] = ['confirmed', 'field_check', 'unreviewed', 'rejected'];

export function createExportDialog(options: ExportDialogOptions): ExportDialog {
  const modal = createModal('Export patches', 'export-dialog');
  const format = h(
    'select',
    { class: 'input', 'data-testid': 'export-format' },
    ...FORMATS.map((f) => h('option', { value: f.value }, f.label)),
  );
  const boxes = STATES.map((state) => {
    const box = h('input', {
      type: 'checkbox',
      value: state,
      checked: true,
      'data-testid': `export-state-${state}`,
    });
    return { state, box, label: h('label', { class: 'check' }, box, stateLabel(state)) };
  });
  const result = h('div', { class: 'export-result', 'aria-live': 'polite' });
  const run = h(
    'button',
    { class: 'btn btn-primary', type: 'button', 'data-testid': 'export-run' },
    'Export',
  );
  const close = h('button', { class: 'btn', type: 'button' }, 'Close');
  modal.body.append(
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Format'), format),
    h(
      'fieldset',
      { class: 'field' },
      h('legend', { class: 'field-label' }, 'Patches to include'),
      h('div', { class: 'checks' }, ...boxes.map((b) => b.label)),
    ),
    result,
  );
  modal.footer.append(close, run);
  close.addEventListener('click', () => modal.close());

  run.addEventListener('click', async () => {
    const chosen = boxes.filter((b) => b.box.checked).map((b) => b.state);
    if (chosen.length === 0) {
      replaceChildren(result, h('p', { class: 'form-error' }, 'Tick at least one review state.'));
      return;
    }
    run.disabled = true;
    replaceChildren(result, h('p', { class: 'muted' }, 'Exporting…'));
    try {
      const states = chosen.length === STATES.length ? undefined : chosen;
      const answer = await options.run(format.value as ExportFormat, states);
      if (!answer) {
        replaceChildren(result, h('p', { class: 'muted' }, 'Export cancelled.'));
        return;
      }
      const summary = `${answer.features} patch${answer.features === 1 ? '' : 'es'} → ${answer.fileName}`;
      const where = options.locationIsUrl()
        ? h(
            'a',
            {
              href: answer.location,
              download: answer.fileName,
              class: 'btn btn-primary',
              'data-testid': 'export-result',
            },
            `Download ${answer.fileName}`,
          )
        : h(
            'code',
            { class: 'path', 'data-testid': 'export-result', title: 'Saved here' },
            answer.location,
          );
      replaceChildren(result, h('p', {}, summary), where);
    } catch (err) {
      replaceChildren(result, h('p', { class: 'form-error' }, describeError(err).message));
      options.onError(err, 'Export');
    } finally {
      run.disabled = false;
    }
  });

  return {
    open() {
      replaceChildren(result);
      modal.open();
      format.focus();
    },
  };
}
