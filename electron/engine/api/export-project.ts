/**
 * Exports a project's patches (optionally only some review states) through an export profile,
 * checked before anything is written: a Shapefile gets the land-survey short codes, GeoPackage and
 * GeoJSON the full attribute names; the GeoPackage also carries the review history.
 */
import { basename } from 'node:path';
import type { ExportFormat, ReviewState } from '../../common/contract.js';
import { resolveProfile } from '../export/builtin-profiles.js';
import { checkExport, type ExportCheck } from '../export/check.js';
import { exportWithProfile } from '../export/export-with-profile.js';
import { patchSourceLayer } from '../export/patch-attributes.js';
import { readProjectPatches } from '../export/project-records.js';
import type { DbfEncoding } from '../export/text-encoding.js';
import type { ProjectStore } from '../store/project-store.js';

export interface ProjectExportOptions {
  states?: ReviewState[];
  /** A built-in profile name or a profile file; default by format. */
  profile?: string;
  encoding?: DbfEncoding;
}

export async function exportProject(
  store: ProjectStore,
  format: ExportFormat,
  path: string,
  options: ProjectExportOptions = {},
): Promise<{ path: string; fileName: string; features: number; warnings: string[] }> {
  const data = readProjectPatches(store, { states: options.states });
  const profile = resolveProfile(options.profile ?? (format === 'shp' ? 'builtin' : 'landwatch'));
  const summary = exportWithProfile(path, patchSourceLayer(data.records, data.crs), profile, {
    format,
    encoding: options.encoding,
    reviews: format === 'gpkg' ? data.reviews : undefined,
  });
  return {
    path,
    fileName: basename(path),
    features: data.records.length,
    warnings: summary.warnings.map((w) => w.message),
  };
}

/**
 * The pre-export check of {@link exportProject} with the same options: every problem the export
 * would have, found without writing anything.
 */
export function checkProjectExport(
  store: ProjectStore,
  format: ExportFormat,
  options: ProjectExportOptions = {},
): ExportCheck & { features: number } {
  const data = readProjectPatches(store, { states: options.states });
  const profile = resolveProfile(options.profile ?? (format === 'shp' ? 'builtin' : 'landwatch'));
  const check = checkExport(patchSourceLayer(data.records, data.crs), profile, {
    format,
    encoding: options.encoding,
  });
  return { ...check, features: data.records.length };
}
