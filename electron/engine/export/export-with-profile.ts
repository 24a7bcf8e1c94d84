/**
 * Profile-driven export: check first, then write, never a silently wrong file. This is what the
 * app, the HTTP API and `landwatch export` call; `exportLayer` stays the plain writer underneath.
 */
import { LandWatchError } from '../errors.js';
import { checkExport } from './check.js';
import { exportFormatOf, exportLayer, type ExportOptions } from './index.js';
import type { ExportProfile } from './profiles.js';
import type { ExportLayer, ExportProblem, ExportSummary } from './types.js';

/** What {@link exportWithProfile} wrote, with the warnings the check found. */
export interface ProfiledExportSummary extends ExportSummary {
  warnings: ExportProblem[];
}

/** Most problems listed in one error message; the full list is on the check result. */
const MAX_LISTED = 25;

/**
 * The problems as lines for a person: errors first, then warnings, at most `max` lines, with a
 * count of the rest.
 */
export function formatProblems(problems: readonly ExportProblem[], max = MAX_LISTED): string {
  const sorted = [...problems].sort(
    (a, b) => Number(a.severity === 'warning') - Number(b.severity === 'warning'),
  );
  const lines = sorted
    .slice(0, max)
    .map((p) => ` - ${p.severity === 'warning' ? 'warning: ' : ''}${p.message}`);
  if (sorted.length > max) lines.push(` - … and ${sorted.length - max} more`);
  return lines.join('\n');
}

/**
 * Exports `layer` (LandWatch attribute names, e.g. from `patchSourceLayer`) through `profile` to
 * `path`, whose extension (or `options.format`) picks the format. Runs {@link checkExport} first
 * and, when it finds any error, writes nothing and throws E_OUTPUT listing them all.
 *
 * @example
 * exportWithProfile('out/changes.shp', layer, LAND_SURVEY_PROFILE, { encoding: 'GBK' });
 */
export function exportWithProfile(
  path: string,
  layer: ExportLayer,
  profile: ExportProfile,
  options: ExportOptions = {},
): ProfiledExportSummary {
  const format = options.format ?? exportFormatOf(path);
  if (!format) {
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `Cannot export to "${path}": use a .gpkg, .geojson, .json, .shp or .csv file name.`,
    );
  }
  const check = checkExport(layer, profile, { format, encoding: options.encoding });
  const errors = check.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    throw new LandWatchError(
      'E_OUTPUT',
      `Nothing was written to ${path}: ${errors.length} problem${errors.length === 1 ? '' : 's'} ` +
        `with profile "${profile.id}" must be fixed first:\n${formatProblems(errors)}`,
    );
  }
  const summary = exportLayer(path, check.layer, { ...options, format });
  return { ...summary, warnings: check.problems.filter((p) => p.severity === 'warning') };
}
