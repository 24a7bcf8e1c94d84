/**
 * `landwatch export`: a project's patches out as GeoPackage, GeoJSON, Shapefile or CSV through an
 * export profile (checked before anything is written), or as an evidence report (HTML or PDF).
 * A team project (`--db`, `--schema`) exports exactly as a project file. A one-line summary on stdout; warnings and check results on stderr / stdout. The output is
 * checked before the project is read (output-paths.ts); writers write it whole or not at all.
 */
import { extname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  exportFormatSchema,
  reviewStateSchema,
  type ExportFormat,
  type ReviewState,
} from '../common/contract.js';
import { LandWatchError } from '../engine/errors.js';
import { resolveProfile } from '../engine/export/builtin-profiles.js';
import { checkExport } from '../engine/export/check.js';
import { exportWithProfile, formatProblems } from '../engine/export/export-with-profile.js';
import { exportFormatOf } from '../engine/export/index.js';
import { checkOutputPaths, outputError } from '../engine/export/output-paths.js';
import { patchSourceLayer } from '../engine/export/patch-attributes.js';
import { profileJsonSchema } from '../engine/export/profiles.js';
import { readPatchRecords, type PatchSelection } from '../engine/export/project-records.js';
import {
  pgRecordsSource,
  sqliteRecordsSource,
  type PatchRecordsSource,
} from '../engine/export/records-source.js';
import type { DbfEncoding } from '../engine/export/text-encoding.js';
import { evidenceInputOf, writeEvidenceReport } from '../engine/report/evidence-report.js';
import { ProjectStore } from '../engine/store/project-store.js';
import { openTeamStore } from '../engine/team/team-target.js';

/** Usage lines for `landwatch --help`. */
export const EXPORT_USAGE = `  landwatch export --project <file.landwatch> | --db <postgres://…> [--schema <name>] --out <file.gpkg|.geojson|.shp|.csv|.pdf|.html>
                   [--format gpkg|geojson|shp|csv] [--profile builtin|landwatch|<profile.json>] [--encoding UTF-8|GBK]
                   [--states confirmed,field_check] [--patches 3,5,9] [--overwrite] [--check]
  landwatch export --print-profile builtin|landwatch   a profile as JSON, to copy and edit
  landwatch export --print-profile-schema             the JSON Schema of profile files`;

const REPORT_EXTS = ['.pdf', '.html', '.htm'];

function bad(message: string): LandWatchError {
  return new LandWatchError('E_BAD_REQUEST', message);
}

function parseEncoding(text: string | undefined): DbfEncoding | undefined {
  if (text === undefined) return undefined;
  const key = text.toUpperCase().replace(/[-_]/g, '');
  if (key === 'UTF8') return 'UTF-8';
  if (key === 'GBK' || key === 'CP936') return 'GBK';
  throw bad(`--encoding ${text}: choose UTF-8 or GBK.`);
}

function parseSelection(states?: string, patches?: string): PatchSelection {
  const selection: PatchSelection = {};
  if (states !== undefined) {
    selection.states = states.split(',').map((s): ReviewState => {
      const parsed = reviewStateSchema.safeParse(s.trim());
      if (!parsed.success) {
        throw bad(
          `--states ${states}: "${s}" is not a state; use ${reviewStateSchema.options.join(', ')}.`,
        );
      }
      return parsed.data;
    });
  }
  if (patches !== undefined) {
    selection.numbers = patches.split(',').map((n) => {
      const v = Number(n.trim());
      if (!Number.isInteger(v) || v < 1)
        throw bad(`--patches ${patches}: give patch numbers like 3,5,9.`);
      return v;
    });
  }
  return selection;
}

/** The format `--format` names (it must agree with a known extension), else the extension's. */
function chooseFormat(out: string, flag: string | undefined): ExportFormat | null {
  const named = exportFormatOf(out);
  if (flag === undefined) return named;
  const parsed = exportFormatSchema.safeParse(flag.toLowerCase());
  if (!parsed.success) {
    throw bad(`--format ${flag}: choose ${exportFormatSchema.options.join(', ')}.`);
  }
  if (named && named !== parsed.data) {
    throw bad(`--format ${flag} contradicts --out ${out}, whose extension says ${named}.`);
  }
  return parsed.data;
}

/**
 * Runs `landwatch export` with the arguments after the command name; resolves with the exit code
 * (0 done, 2 when `--check` finds errors). Bad input throws LandWatchError, as the other commands.
 */
export async function runExportCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      project: { type: 'string' },
      db: { type: 'string' },
      schema: { type: 'string' },
      out: { type: 'string' },
      format: { type: 'string' },
      profile: { type: 'string' },
      encoding: { type: 'string' },
      states: { type: 'string' },
      patches: { type: 'string' },
      overwrite: { type: 'boolean', default: false },
      check: { type: 'boolean', default: false },
      'print-profile': { type: 'string' },
      'print-profile-schema': { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values['print-profile-schema']) {
    process.stdout.write(`${JSON.stringify(profileJsonSchema(), null, 2)}\n`);
    return 0;
  }
  if (values['print-profile'] !== undefined) {
    const { $schema: _, ...profile } = resolveProfile(values['print-profile']);
    process.stdout.write(`${JSON.stringify(profile, null, 2)}\n`);
    return 0;
  }
  if (values.project && values.db) throw bad('give --project or --db, not both.');
  if (!values.project && !values.db)
    throw bad(
      '--project is required (a .landwatch project file), or --db and --schema for a team project.',
    );
  if (values.schema && !values.db) throw bad('--schema names a team project: give --db too.');
  if (!values.out) throw bad('--out is required.');
  const out = resolve(values.out);
  const ext = extname(out).toLowerCase();
  const format = chooseFormat(out, values.format);
  const isReport = REPORT_EXTS.includes(ext);
  if (!format && !isReport) {
    throw bad(`--out ${values.out}: use a .gpkg, .geojson, .shp, .csv, .pdf or .html file name.`);
  }
  const encoding = parseEncoding(values.encoding);
  if (encoding && format !== 'shp') throw bad('--encoding applies to shapefiles (.shp) only.');
  if (isReport && (values.profile || values.check)) {
    throw bad('--profile and --check apply to GIS exports, not to evidence reports.');
  }
  const selection = parseSelection(values.states, values.patches);
  if (!values.check) checkOutputPaths([{ flag: '--out', path: out }], values.overwrite);

  const project = await openProject(values);
  try {
    const t0 = performance.now();
    const data = await readPatchRecords(project.source, selection);
    if (isReport) {
      const input = evidenceInputOf(data);
      await writeEvidenceReport(out, input, { overwrite: values.overwrite }).catch((error) => {
        throw outputError(out, error);
      });
      const seconds = ((performance.now() - t0) / 1000).toFixed(1);
      process.stdout.write(
        `landwatch: evidence report of ${input.records.length} patch${input.records.length === 1 ? '' : 'es'}, ${seconds} s → ${out}\n`,
      );
      return 0;
    }
    // Shapefiles go to national systems (short codes); GeoPackage/GeoJSON keep full names.
    const profile = resolveProfile(values.profile ?? (format === 'shp' ? 'builtin' : 'landwatch'));
    const layer = patchSourceLayer(data.records, data.crs);
    if (values.check) {
      const check = checkExport(layer, profile, { format: format!, encoding });
      const errors = check.problems.filter((p) => p.severity === 'error').length;
      process.stdout.write(
        check.problems.length === 0
          ? `landwatch: ${layer.features.length} patches can be exported to ${format} with profile "${profile.id}".\n`
          : `landwatch: ${errors} error${errors === 1 ? '' : 's'}, ${check.problems.length - errors} warning${check.problems.length - errors === 1 ? '' : 's'}:\n${formatProblems(check.problems, Infinity)}\n`,
      );
      return check.ok ? 0 : 2;
    }
    let summary: ReturnType<typeof exportWithProfile>;
    try {
      summary = exportWithProfile(out, layer, profile, {
        format: format!,
        encoding,
        overwrite: values.overwrite,
        reviews: format === 'gpkg' ? data.reviews : undefined,
      });
    } catch (error) {
      throw outputError(out, error);
    }
    if (summary.warnings.length > 0) process.stderr.write(`${formatProblems(summary.warnings)}\n`);
    const seconds = ((performance.now() - t0) / 1000).toFixed(1);
    const extra =
      summary.files.length > 1
        ? ` (+ ${summary.files
            .slice(1)
            .map((f) => extname(f))
            .join(' ')})`
        : '';
    process.stdout.write(
      `landwatch: ${summary.features} patch${summary.features === 1 ? '' : 'es'}, profile ${profile.id}` +
        `${format === 'shp' ? `, ${encoding ?? 'UTF-8'}` : ''}, ${seconds} s → ${out}${extra}\n`,
    );
    return 0;
  } finally {
    await project.close();
  }
}

/** The project `--project` (a file) or `--db` and `--schema` (a team project) name. */
async function openProject(values: {
  project?: string;
  db?: string;
  schema?: string;
}): Promise<{ source: PatchRecordsSource; close: () => Promise<void> }> {
  if (values.db) {
    const store = await openTeamStore(values.db, values.schema);
    return { source: pgRecordsSource(store), close: () => store.close() };
  }
  const store = ProjectStore.open(resolve(values.project!));
  return { source: sqliteRecordsSource(store), close: async () => store.close() };
}
