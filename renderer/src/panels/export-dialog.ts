/**
 * Export: format (GeoPackage / GeoJSON / Shapefile), attribute profile, Shapefile encoding and
 * which review states. `export.check` runs first and its problems are listed; errors stop the
 * export, warnings are shown with the result. The evidence report (HTML / PDF) of the same states
 * is a second button.
 * Over HTTP the result is a URL offered as a download link; in the desktop app it is the path the
 * file was saved to (main asked where in a save dialog).
 */
import type {
  ExportCheckProblem,
  ExportCheckResult,
  ExportEncoding,
  ExportFormat,
  ExportProfileName,
  ExportResult,
  ReportResult,
  ReviewState,
} from '../../../electron/common/contract.js';
import { describeError } from '../api/errors.js';
import { stateLabel } from '../format.js';
import { h, replaceChildren } from '../ui/dom.js';
import { createModal } from '../ui/modal.js';

export interface ExportDialogOptions {
  /** True when `location` is a URL to download (HTTP transport). */
  locationIsUrl(): boolean;
  run(options: ExportChoice): Promise<ExportResult | null>;
  check(options: ExportChoice): Promise<ExportCheckResult>;
  report(format: 'pdf' | 'html', states: ReviewState[] | undefined): Promise<ReportResult | null>;
  onError(err: unknown, context: string): void;
}

/** What the dialog asks the backend to export. */
export interface ExportChoice {
  format: ExportFormat;
  states: ReviewState[] | undefined;
  profile: ExportProfileName;
  encoding: ExportEncoding | undefined;
}

export interface ExportDialog {
  open(): void;
}

const FORMATS: { value: ExportFormat; label: string }[] = [
  { value: 'gpkg', label: 'GeoPackage (.gpkg)' },
  { value: 'geojson', label: 'GeoJSON (.geojson)' },
  { value: 'shp', label: 'Shapefile (.zip)' },
  { value: 'csv', label: 'CSV with WKT (.csv)' },
];

const STATES: ReviewState[] = ['confirmed', 'field_check', 'unreviewed', 'rejected'];

function problemList(problems: readonly ExportCheckProblem[]): HTMLElement {
  return h(
    'ul',
    { class: 'export-problems', 'data-testid': 'export-problems' },
    ...problems.map((p) =>
      h(
        'li',
        { class: p.severity === 'error' ? 'form-error' : 'muted', 'data-severity': p.severity },
        `${p.severity === 'error' ? 'Error' : 'Warning'}: ${p.message}`,
      ),
    ),
  );
}

function where(locationIsUrl: boolean, fileName: string, location: string, testId: string) {
  return locationIsUrl
    ? h(
        'a',
        { href: location, download: fileName, class: 'btn btn-primary', 'data-testid': testId },
        `Download ${fileName}`,
      )
    : h('code', { class: 'path', 'data-testid': testId, title: 'Saved here' }, location);
}

export function createExportDialog(options: ExportDialogOptions): ExportDialog {
  const modal = createModal('Export patches', 'export-dialog');
  const format = h(
    'select',
    { class: 'input', 'data-testid': 'export-format' },
    ...FORMATS.map((f) => h('option', { value: f.value }, f.label)),
  );
  const profile = h(
    'select',
    { class: 'input', 'data-testid': 'export-profile' },
    h('option', { value: 'builtin' }, 'Land survey (short field codes)'),
    h('option', { value: 'landwatch' }, 'LandWatch (full field names)'),
  );
  const encoding = h(
    'select',
    { class: 'input', 'data-testid': 'export-encoding', title: 'Shapefile attribute encoding' },
    h('option', { value: 'UTF-8' }, 'UTF-8'),
    h('option', { value: 'GBK' }, 'GBK (older GIS software)'),
  );
  const encodingField = h(
    'label',
    { class: 'field' },
    h('span', { class: 'field-label' }, 'Shapefile encoding'),
    encoding,
  );
  // The default profile follows the format: short codes for Shapefiles, full names otherwise.
  const syncFormat = () => {
    const shp = format.value === 'shp';
    encodingField.hidden = !shp;
    profile.value = shp ? 'builtin' : 'landwatch';
  };
  format.addEventListener('change', syncFormat);
  const reportFormat = h(
    'select',
    { class: 'input input-sm', 'data-testid': 'report-format', 'aria-label': 'Report format' },
    h('option', { value: 'pdf' }, 'PDF'),
    h('option', { value: 'html' }, 'HTML'),
  );
  const reportRun = h(
    'button',
    { class: 'btn', type: 'button', 'data-testid': 'report-run' },
    'Evidence report',
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
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Profile'), profile),
    encodingField,
    h(
      'fieldset',
      { class: 'field' },
      h('legend', { class: 'field-label' }, 'Patches to include'),
      h('div', { class: 'checks' }, ...boxes.map((b) => b.label)),
    ),
    result,
  );
  modal.footer.append(reportFormat, reportRun, close, run);
  close.addEventListener('click', () => modal.close());

  const chosenStates = (): ReviewState[] | null | undefined => {
    const chosen = boxes.filter((b) => b.box.checked).map((b) => b.state);
    if (chosen.length === 0) {
      replaceChildren(result, h('p', { class: 'form-error' }, 'Tick at least one review state.'));
      return null;
    }
    return chosen.length === STATES.length ? undefined : chosen;
  };

  run.addEventListener('click', async () => {
    const states = chosenStates();
    if (states === null) return;
    const choice: ExportChoice = {
      format: format.value as ExportFormat,
      states,
      profile: profile.value as ExportProfileName,
      encoding: format.value === 'shp' ? (encoding.value as ExportEncoding) : undefined,
    };
    run.disabled = true;
    replaceChildren(result, h('p', { class: 'muted' }, 'Checking…'));
    try {
      const check = await options.check(choice);
      const problems = check.problems.length > 0 ? problemList(check.problems) : null;
      if (!check.ok) {
        replaceChildren(
          result,
          h('p', { class: 'form-error' }, 'Nothing was written: fix these first.'),
          problems,
        );
        return;
      }
      replaceChildren(result, h('p', { class: 'muted' }, 'Exporting…'), problems);
      const answer = await options.run(choice);
      if (!answer) {
        replaceChildren(result, h('p', { class: 'muted' }, 'Export cancelled.'));
        return;
      }
      const summary = `${answer.features} patch${answer.features === 1 ? '' : 'es'} → ${answer.fileName}`;
      replaceChildren(
        result,
        h('p', {}, summary),
        where(options.locationIsUrl(), answer.fileName, answer.location, 'export-result'),
        problems,
      );
    } catch (err) {
      replaceChildren(result, h('p', { class: 'form-error' }, describeError(err).message));
      options.onError(err, 'Export');
    } finally {
      run.disabled = false;
    }
  });

  reportRun.addEventListener('click', async () => {
    const states = chosenStates();
    if (states === null) return;
    reportRun.disabled = true;
    replaceChildren(result, h('p', { class: 'muted' }, 'Writing the evidence report…'));
    try {
      const answer = await options.report(reportFormat.value as 'pdf' | 'html', states);
      if (!answer) {
        replaceChildren(result, h('p', { class: 'muted' }, 'Report cancelled.'));
        return;
      }
      replaceChildren(
        result,
        h('p', {}, `Evidence report of ${answer.patches} patches → ${answer.fileName}`),
        where(options.locationIsUrl(), answer.fileName, answer.location, 'report-result'),
      );
    } catch (err) {
      replaceChildren(result, h('p', { class: 'form-error' }, describeError(err).message));
      options.onError(err, 'Evidence report');
    } finally {
      reportRun.disabled = false;
    }
  });

  return {
    open() {
      replaceChildren(result);
      syncFormat();
      modal.open();
      format.focus();
    },
  };
}
