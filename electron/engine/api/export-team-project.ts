/**
 * Exports and evidence reports of a team project (PostgreSQL), exactly as {@link exportProject},
 * {@link checkProjectExport} and the evidence report make them from a project file: the same
 * records, read through the team project's {@link pgRecordsSource} (SQL), the same profiles and
 * writers. The team server's `export.run` / `export.check` / `report.evidence` call these.
 *
 * @example
 * const store = await PgReviewStore.open({ url, schema: 'round7' });
 * await exportTeamProject(store, 'gpkg', '/tmp/round7.gpkg', { states: ['confirmed'] });
 */
import type { ExportFormat } from '../../common/contract.js';
import type { ExportCheck } from '../export/check.js';
import { readPatchRecords, type PatchSelection } from '../export/project-records.js';
import { pgRecordsSource } from '../export/records-source.js';
import {
  evidenceInputOf,
  writeEvidenceReport,
  type EvidenceInput,
  type EvidenceOptions,
} from '../report/evidence-report.js';
import type { PdfPrinter } from '../report/pdf.js';
import type { PgReviewStore } from '../store/pg/pg-review-store.js';
import {
  checkPatches,
  exportPatches,
  type ProjectExportOptions,
  type ProjectExportResult,
} from './export-project.js';

/** Writes a team project's patches as {@link exportProject} writes a project file's. */
export async function exportTeamProject(
  store: PgReviewStore,
  format: ExportFormat,
  path: string,
  options: ProjectExportOptions = {},
): Promise<ProjectExportResult> {
  const data = await readPatchRecords(pgRecordsSource(store), { states: options.states });
  // Team projects hold no reference layers, so a GeoPackage has no overlaps table.
  return exportPatches(data, format, path, options);
}

/** The pre-export check of {@link exportTeamProject}: nothing is written. */
export async function checkTeamExport(
  store: PgReviewStore,
  format: ExportFormat,
  options: ProjectExportOptions = {},
): Promise<ExportCheck & { features: number }> {
  return checkPatches(
    await readPatchRecords(pgRecordsSource(store), { states: options.states }),
    format,
    options,
  );
}

/** The evidence report input for the team project's patches matching `selection`. */
export async function teamEvidenceInput(
  store: PgReviewStore,
  selection: PatchSelection = {},
): Promise<EvidenceInput> {
  return evidenceInputOf(await readPatchRecords(pgRecordsSource(store), selection));
}

/** Writes the evidence report (HTML or PDF, by extension) of a team project's patches. */
export async function writeTeamEvidenceReport(
  store: PgReviewStore,
  path: string,
  selection: PatchSelection = {},
  options: EvidenceOptions & { overwrite?: boolean; printer?: PdfPrinter } = {},
): Promise<{ path: string; patches: number }> {
  return writeEvidenceReport(path, await teamEvidenceInput(store, selection), options);
}
