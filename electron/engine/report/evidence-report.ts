/**
 * The evidence report: for the selected patches, a printable document a supervisor can sign off —
 * same-scale before/after image chips with the patch outline, the acquisition dates, area in m²
 * and mu, change class, confidence, the reviewer's decision and notes, and where the patch lies
 * in the scene. Written as self-contained HTML, or as PDF through a {@link PdfPrinter}.
 */
import { extname } from 'node:path';
import type { CodeLists, ReviewState } from '../../common/contract.js';
import { lookupEpsg } from '../crs/epsg.js';
import { LandWatchError, throwIfAborted } from '../errors.js';
import { assertCanWrite, writeFilesAtomically } from '../export/output-files.js';
import type { PatchRecord } from '../export/patch-attributes.js';
import {
  readProjectPatches,
  type PatchSelection,
  type ProjectPatches,
} from '../export/project-records.js';
import type { LayerCrs } from '../export/types.js';
import type { ProjectStore } from '../store/project-store.js';
import {
  boundsOf,
  chipExtent,
  chipPixels,
  markerBox,
  overviewSize,
  svgPath,
  type Extent,
} from './chip-geometry.js';
import { chromiumPrinter, type PdfPrinter } from './pdf.js';
import { encodePng, pngDataUri } from './png.js';
import { renderReportHtml, type PatchPage, type ReportModel } from './report-html.js';
import {
  STATE_LABELS,
  decisionFacts,
  formatNumber,
  formatTime,
  lonLatConverter,
  patchFacts,
  type Fact,
} from './report-text.js';
import { SceneImage } from './scene-image.js';

/** One date of the report. */
export interface EvidenceScene {
  path: string;
  name: string;
  date: string | null;
}

/** What a report is made from; {@link evidenceInputFromProject} reads it from a project file. */
export interface EvidenceInput {
  projectName: string;
  crs: LayerCrs;
  /** How to name the CRS, e.g. "EPSG:32650 WGS 84 / UTM zone 50N". */
  crsName: string;
  before: EvidenceScene;
  after: EvidenceScene;
  records: PatchRecord[];
  codeLists?: CodeLists;
}

/** Options of {@link buildEvidenceHtml} and {@link writeEvidenceReport}. */
export interface EvidenceOptions {
  title?: string;
  /** Largest chip side in pixels. Default 320. */
  chipMaxPixels?: number;
  /** Longer side of the overview map in pixels. Default 512. */
  overviewPixels?: number;
  /** Most patches in one report (each is a page with two images). Default 1000. */
  maxPatches?: number;
  /** The time printed on the cover; default now. */
  generatedAt?: Date;
  signal?: AbortSignal;
}

const DEFAULT_TITLE = '变化图斑举证报告 Change evidence report';

/** Reads the report input for the patches of a project that match `selection`. */
export function evidenceInputFromProject(
  store: ProjectStore,
  selection: PatchSelection = {},
): EvidenceInput {
  return evidenceInputOf(readProjectPatches(store, selection));
}

/** The report input for patches already read (from a project file or a team project). */
export function evidenceInputOf(data: ProjectPatches): EvidenceInput {
  const { before, after } = data;
  return {
    projectName: data.projectName,
    crs: data.crs,
    crsName: `${before.crsId} ${before.crsName}`.trim(),
    before: { path: before.path, name: before.name, date: before.acquired },
    after: { path: after.path, name: after.name, date: after.acquired },
    records: data.records,
    codeLists: data.codeLists,
  };
}

function coverFacts(input: EvidenceInput): { scenes: Fact[]; counts: Fact[] } {
  const scene = (s: EvidenceScene): string => `${s.name} · ${s.date ?? 'date unknown 日期不详'}`;
  const byState = new Map<ReviewState, number>();
  for (const r of input.records) byState.set(r.state, (byState.get(r.state) ?? 0) + 1);
  const area = input.records.reduce((sum, r) => sum + r.areaM2, 0);
  const mu = input.records.reduce((sum, r) => sum + r.areaMu, 0);
  return {
    scenes: [
      ['前时相影像 Before image', scene(input.before)],
      ['后时相影像 After image', scene(input.after)],
      ['坐标系 CRS', input.crsName],
    ],
    counts: [
      ['图斑数 Patches', String(input.records.length)],
      ['总面积 Total area', `${formatNumber(area, 1)} m² · ${formatNumber(mu, 3)} 亩 mu`],
      ...[...byState].map(([state, n]): Fact => [STATE_LABELS[state], String(n)]),
    ],
  };
}

/** Builds the report as one self-contained HTML document (see report-html.ts). */
export async function buildEvidenceHtml(
  input: EvidenceInput,
  options: EvidenceOptions = {},
): Promise<string> {
  const { chipMaxPixels = 320, overviewPixels = 512, maxPatches = 1000, signal } = options;
  if (input.records.length === 0) {
    throw new LandWatchError('E_BAD_REQUEST', 'No patches selected for the evidence report.');
  }
  if (input.records.length > maxPatches) {
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `${input.records.length} patches selected; an evidence report holds at most ${maxPatches} (one page each). Select fewer, e.g. by state or number.`,
    );
  }
  const metresPerUnit = (input.crs.epsg !== null && lookupEpsg(input.crs.epsg)?.metresPerUnit) || 1;
  const context = {
    codeLists: input.codeLists,
    toLonLat: lonLatConverter(input.crs),
    crsLabel: input.crs.epsg !== null ? `EPSG:${input.crs.epsg}` : 'scene CRS',
  };
  const before = await SceneImage.open(input.before.path, signal);
  try {
    const after = await SceneImage.open(input.after.path, signal);
    try {
      const sceneExtent = after.extent;
      const size = overviewSize(sceneExtent, overviewPixels);
      const overviewRgb = await after.render(sceneExtent, size.width, size.height);
      const patches: PatchPage[] = [];
      for (const record of [...input.records].sort((a, b) => a.number - b.number)) {
        throwIfAborted(signal);
        const bounds = boundsOf(record.geometry);
        if (!bounds) continue; // an empty geometry has nothing to show
        const extent: Extent = chipExtent(bounds, { minSide: 60 / metresPerUnit });
        const pixels = chipPixels(extent, before.pixelSize, 96, chipMaxPixels);
        const [b, a] = await Promise.all([
          before.render(extent, pixels, pixels),
          after.render(extent, pixels, pixels),
        ]);
        patches.push({
          number: record.number,
          state: STATE_LABELS[record.state],
          facts: patchFacts(record, context),
          decision: decisionFacts(record, context),
          chips: {
            before: pngDataUri(encodePng(b, pixels, pixels, 3)),
            after: pngDataUri(encodePng(a, pixels, pixels, 3)),
            pixels,
            groundWidth: (extent[2] - extent[0]) * metresPerUnit,
            outline: svgPath(record.geometry, extent, pixels, pixels),
          },
          marker: markerBox(bounds, sceneExtent),
        });
      }
      const model: ReportModel = {
        title: options.title ?? DEFAULT_TITLE,
        projectName: input.projectName,
        generatedAt: `生成于 Generated ${formatTime((options.generatedAt ?? new Date()).toISOString())}`,
        ...coverFacts(input),
        beforeLabel: `前时相 Before · ${input.before.date ?? input.before.name}`,
        afterLabel: `后时相 After · ${input.after.date ?? input.after.name}`,
        overview: {
          uri: pngDataUri(encodePng(overviewRgb, size.width, size.height, 3)),
          ...size,
        },
        patches,
      };
      return renderReportHtml(model);
    } finally {
      after.close();
    }
  } finally {
    before.close();
  }
}

/**
 * Writes the evidence report to `path`: `.html` as is, `.pdf` printed by `printer` (default:
 * headless Chromium, see pdf.ts). Refuses to replace an existing file unless `overwrite`.
 */
export async function writeEvidenceReport(
  path: string,
  input: EvidenceInput,
  options: EvidenceOptions & { overwrite?: boolean; printer?: PdfPrinter } = {},
): Promise<{ path: string; patches: number }> {
  const ext = extname(path).toLowerCase();
  if (ext !== '.html' && ext !== '.htm' && ext !== '.pdf') {
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `Cannot write a report to "${path}": use .html or .pdf.`,
    );
  }
  assertCanWrite([path], options.overwrite);
  const html = await buildEvidenceHtml(input, options);
  if (ext === '.pdf') await (options.printer ?? chromiumPrinter())(html, path);
  else writeFilesAtomically([{ path, data: html }]);
  return { path, patches: input.records.length };
}
