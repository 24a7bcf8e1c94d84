/**
 * The `export.run`, `export.check` and `report.evidence` channels for team projects: the same
 * requests and answers as the project-file handlers in backend.ts, served from a
 * {@link PgReviewStore} through export-team-project.ts. The team server spreads these into its
 * handler map for projects that live in PostgreSQL.
 */
import { basename } from 'node:path';
import type { ParsedRequestOf, ResponseOf } from '../../common/contract.js';
import type { PdfPrinter } from '../report/pdf.js';
import type { PgReviewStore } from '../store/pg/pg-review-store.js';
import {
  checkTeamExport,
  exportTeamProject,
  writeTeamEvidenceReport,
} from './export-team-project.js';

type ExportChannel = 'export.run' | 'export.check' | 'report.evidence';

export type TeamExportHandlers = {
  [C in ExportChannel]: (req: ParsedRequestOf<C>) => Promise<ResponseOf<C>>;
};

/** What the handlers need from the host (the Host of backend.ts fits). */
export interface ExportHost {
  /** Where to write an export; null when the user cancels. `location` is what the UI is told. */
  exportTarget(
    defaultName: string,
  ): Promise<{ path: string; location: (path: string) => string } | null>;
  pdfPrinter?: PdfPrinter;
}

/** A file name made of a project name (as backend.ts makes them). */
function safeName(name: string): string {
  return name.replace(/[^\p{L}\p{N}._-]+/gu, '_').slice(0, 80) || 'project';
}

/** @param store - the open team project with that id */
export function teamExportHandlers(
  store: (projectId: string) => PgReviewStore | Promise<PgReviewStore>,
  host: ExportHost,
): TeamExportHandlers {
  return {
    'export.run': async (req) => {
      const team = await store(req.projectId);
      const target = await host.exportTarget(
        `${safeName(await team.name())}-changes.${req.format}`,
      );
      if (!target) return null;
      const written = await exportTeamProject(team, req.format, target.path, {
        states: req.states,
        profile: req.profile,
        encoding: req.encoding,
      });
      return {
        fileName: written.fileName,
        features: written.features,
        location: target.location(written.path),
      };
    },
    'export.check': async (req) => {
      const check = await checkTeamExport(await store(req.projectId), req.format, {
        states: req.states,
        profile: req.profile,
        encoding: req.encoding,
      });
      return { ok: check.ok, features: check.features, problems: check.problems };
    },
    'report.evidence': async (req) => {
      const team = await store(req.projectId);
      const numbers = req.patchIds
        ? await Promise.all(req.patchIds.map(async (pid) => (await team.patch(Number(pid))).number))
        : undefined;
      const target = await host.exportTarget(
        `${safeName(await team.name())}-evidence.${req.format}`,
      );
      if (!target) return null;
      const written = await writeTeamEvidenceReport(
        team,
        target.path,
        { states: req.states, numbers },
        { overwrite: true, ...(host.pdfPrinter ? { printer: host.pdfPrinter } : {}) },
      );
      return {
        fileName: basename(written.path),
        patches: written.patches,
        location: target.location(written.path),
      };
    },
  };
}
