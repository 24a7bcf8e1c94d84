/**
 * Exports a project's patches (optionally only some review states) through an export profile,
 * checked before anything is written: a Shapefile gets the land-survey short codes, GeoPackage and
 * GeoJSON the full attribute names; the GeoPackage also carries the review history and the
 * patches' overlaps with reference layers.
 */
import { basename } from 'node:path';
import type { ExportFormat, ReviewState } from '../../common/contract.js';
import { resolveProfile } from '../export/builtin-profiles.js';
import { checkExport, type ExportCheck } from '../export/check.js';
import { exportWithProfile } from '../export/export-with-profile.js';
import { tableFromRows } from '../export/index.js';
import { patchSourceLayer, type PatchRecord } from '../export/patch-attributes.js';
import { readProjectPatches, type ProjectPatches } from '../export/project-records.js';
import type { DbfEncoding } from '../export/text-encoding.js';
import { referenceStoreOf } from '../reference/reference-store.js';
import type { ProjectStore } from '../store/project-store.js';

export interface ProjectExportOptions {
  states?: ReviewState[];
  /** A built-in profile name or a profile file; default by format. */
  profile?: string;
  encoding?: DbfEncoding;
  /** Replace existing files; default false (an existing file is an error). */
  overwrite?: boolean;
}

export async function exportProject(
  store: ProjectStore,
  format: ExportFormat,
  path: string,
  options: ProjectExportOptions = {},
): Promise<ProjectExportResult> {
  const data = readProjectPatches(store, { states: options.states });
  const overlaps = format === 'gpkg' ? overlapRows(store, data.records) : [];
  return exportPatches(data, format, path, options, overlaps);
}

export interface ProjectExportResult {
  path: string;
  fileName: string;
  features: number;
  warnings: string[];
}

/**
 * Writes patches already read (from a project file or a team project) through the profile the
 * options name; `overlaps` are the reference-layer rows a GeoPackage also carries.
 */
export function exportPatches(
  data: ProjectPatches,
  format: ExportFormat,
  path: string,
  options: ProjectExportOptions,
  overlaps: Record<string, unknown>[] = [],
): ProjectExportResult {
  const profile = resolveProfile(options.profile ?? (format === 'shp' ? 'builtin' : 'landwatch'));
  const summary = exportWithProfile(path, patchSourceLayer(data.records, data.crs), profile, {
    format,
    encoding: options.encoding,
    overwrite: options.overwrite,
    reviews: format === 'gpkg' ? data.reviews : undefined,
    extraTables: overlaps.length > 0 ? [tableFromRows('reference_overlaps', overlaps)] : [],
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
  return checkPatches(readProjectPatches(store, { states: options.states }), format, options);
}

/** The check of {@link exportPatches} for patches already read. */
export function checkPatches(
  data: ProjectPatches,
  format: ExportFormat,
  options: ProjectExportOptions,
): ExportCheck & { features: number } {
  const profile = resolveProfile(options.profile ?? (format === 'shp' ? 'builtin' : 'landwatch'));
  const check = checkExport(patchSourceLayer(data.records, data.crs), profile, {
    format,
    encoding: options.encoding,
  });
  return { ...check, features: data.records.length };
}

/**
 * One row per exported patch and reference layer it meets (overlap area in m² and share of the
 * patch), written to GeoPackages as the `reference_overlaps` table next to `reviews`, so a GIS team
 * can join them to the patches by `patch_number`.
 */
function overlapRows(store: ProjectStore, records: PatchRecord[]): Record<string, unknown>[] {
  const refs = referenceStoreOf(store);
  const layers = new Map(refs.layers().map((l) => [l.id, l]));
  if (layers.size === 0) return [];
  refs.refresh();
  return records.flatMap((r) =>
    refs.overlapsOf(Number(r.id)).map((o) => ({
      patch_number: r.number,
      layer: layers.get(o.layerId)?.name ?? String(o.layerId),
      layer_kind: layers.get(o.layerId)?.kind ?? null,
      area_m2: o.areaM2,
      share: o.share,
    })),
  );
}
