/**
 * Benchmarks profile-driven export of reviewed patches: the pre-export check alone, and check +
 * write for GeoPackage (full names + a reviews table), Shapefile (land-survey codes) in UTF-8 and
 * in GBK, and GeoJSON (reprojected to WGS 84). Prints one table: median of the runs, file size.
 *
 * Usage: npx tsx scripts/bench-export.ts [--patches 10000] [--runs 3] [--keep]
 *
 * Patches are star-shaped polygons of 12–40 vertices and 40–900 m² in EPSG:32650; one in ten has a
 * hole and one in twenty is a two-part multipolygon. Attributes look like a reviewed project:
 * change class and legality codes, states, reviewers, Chinese comments of 10–60 characters.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReviewState } from '../electron/common/contract.js';
import { lookupEpsg } from '../electron/engine/crs/epsg.js';
import {
  LANDWATCH_PROFILE,
  LAND_SURVEY_PROFILE,
} from '../electron/engine/export/builtin-profiles.js';
import { checkExport } from '../electron/engine/export/check.js';
import { exportWithProfile } from '../electron/engine/export/export-with-profile.js';
import { exportFormatOf } from '../electron/engine/export/index.js';
import { patchSourceLayer, type PatchRecord } from '../electron/engine/export/patch-attributes.js';
import type { ExportProfile } from '../electron/engine/export/profiles.js';
import type { DbfEncoding } from '../electron/engine/export/text-encoding.js';
import { seededRandom } from '../electron/engine/random.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const N = flag('patches', 10_000);
const RUNS = flag('runs', 3);

const random = seededRandom(7);
const X0 = 400_000;
const Y0 = 3_500_000;
const STEP = 60; // metres between patch centres on a grid
const PHRASES = [
  '新建厂房',
  '未批先建',
  '道路拓宽',
  '推填土',
  '疑似违法占地',
  '已有批文',
  '需外业核实',
  '季节性伪变化',
  '农业设施',
  '光伏板',
];
const STATES: ReviewState[] = ['confirmed', 'confirmed', 'rejected', 'field_check', 'unreviewed'];

/** A star-shaped ring around (cx, cy): simple by construction (angles strictly increase). */
function star(cx: number, cy: number, rMin: number, rMax: number, vertices: number): number[][] {
  const ring = Array.from({ length: vertices }, (_, i) => {
    const angle = (2 * Math.PI * i) / vertices;
    const r = rMin + random() * (rMax - rMin);
    return [cx + r * Math.cos(angle), cy + r * Math.sin(angle)];
  });
  return [...ring, ring[0]];
}

function square(cx: number, cy: number, half: number, clockwise: boolean): number[][] {
  const ring = [
    [cx - half, cy - half],
    [cx + half, cy - half],
    [cx + half, cy + half],
    [cx - half, cy + half],
  ];
  if (clockwise) ring.reverse();
  return [...ring, ring[0]];
}

function syntheticPatches(n: number): PatchRecord[] {
  const columns = Math.ceil(Math.sqrt(n));
  return Array.from({ length: n }, (_, i): PatchRecord => {
    const cx = X0 + (i % columns) * STEP;
    const cy = Y0 + Math.floor(i / columns) * STEP;
    const vertices = 12 + Math.floor(random() * 29);
    const outer = star(cx, cy, 6, 16, vertices);
    const geometry =
      i % 20 === 0
        ? {
            type: 'MultiPolygon' as const,
            coordinates: [[star(cx - 10, cy, 3, 7, vertices)], [star(cx + 12, cy, 3, 7, 12)]],
          }
        : {
            type: 'Polygon' as const,
            coordinates: i % 10 === 1 ? [outer, square(cx, cy, 2, true)] : [outer],
          };
    const area = 40 + random() * 860;
    const state = STATES[i % STATES.length];
    const comment =
      state === 'unreviewed'
        ? null
        : Array.from(
            { length: 2 + Math.floor(random() * 8) },
            () => PHRASES[Math.floor(random() * PHRASES.length)],
          ).join('，');
    return {
      id: String(i + 1),
      number: i + 1,
      state,
      geometry,
      areaM2: area,
      areaMu: area / (10000 / 15),
      perimeterM: 4 * Math.sqrt(area),
      meanProb: 0.5 + random() * 0.5,
      maxProb: 0.99,
      changeClass: ['01', '02', '04', '05', '99'][i % 5],
      legality: state === 'confirmed' ? ['1', '2', '9'][i % 3] : null,
      fieldResult: state === 'field_check' ? '1' : null,
      parcelNo: i % 7 === 0 ? `320115-${String(i).padStart(6, '0')}` : null,
      note: i % 9 === 0 ? '外业组反馈：现场已施工' : null,
      changeKind: 'new_building',
      comment,
      reviewer: state === 'unreviewed' ? null : ['王建国', '李娜', 'Zhang Wei'][i % 3],
      reviewedAt: state === 'unreviewed' ? null : '2024-05-12T09:15:00.000Z',
      runId: 'bench-run',
      modelId: 'lw-siamese-v1',
      threshold: 0.5,
      detectedAt: '2024-05-10T08:30:00.000Z',
      beforeDate: '2023-04-18',
      afterDate: '2024-05-02',
    };
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function sizeOf(files: string[]): number {
  return files.reduce((sum, f) => sum + statSync(f).size, 0);
}

const crs = lookupEpsg(32650)!;
const records = syntheticPatches(N);
const layer = patchSourceLayer(records, { epsg: 32650, wkt: crs.wkt, proj4: crs.proj4 });
const reviews = records
  .filter((r) => r.reviewer)
  .map((r, i) => ({
    id: i + 1,
    patch_id: Number(r.id),
    state: r.state,
    comment: r.comment,
    reviewer: r.reviewer,
    at: r.reviewedAt,
    patch_number: r.number,
  }));
const dir = mkdtempSync(join(tmpdir(), 'landwatch-bench-export-'));

const targets: { name: string; file: string; profile: ExportProfile; encoding?: DbfEncoding }[] = [
  { name: 'GeoPackage (full names + reviews)', file: 'out.gpkg', profile: LANDWATCH_PROFILE },
  {
    name: 'Shapefile land-survey, UTF-8',
    file: 'utf8.shp',
    profile: LAND_SURVEY_PROFILE,
    encoding: 'UTF-8',
  },
  {
    name: 'Shapefile land-survey, GBK',
    file: 'gbk.shp',
    profile: LAND_SURVEY_PROFILE,
    encoding: 'GBK',
  },
  { name: 'GeoJSON (full names, WGS 84)', file: 'out.geojson', profile: LANDWATCH_PROFILE },
  { name: 'CSV with WKT (full names)', file: 'out.csv', profile: LANDWATCH_PROFILE },
];

const rows: string[][] = [];
for (const target of targets) {
  const path = join(dir, target.file);
  const format = exportFormatOf(target.file);
  if (!format) throw new Error(`${target.file}: no export format for this extension`);
  const checkTimes: number[] = [];
  const totalTimes: number[] = [];
  let files: string[] = [];
  for (let run = 0; run < RUNS; run++) {
    let t0 = performance.now();
    const check = checkExport(layer, target.profile, { format, encoding: target.encoding });
    checkTimes.push(performance.now() - t0);
    if (!check.ok) throw new Error(`${target.name}: ${check.problems[0].message}`);
    t0 = performance.now();
    files = exportWithProfile(path, layer, target.profile, {
      encoding: target.encoding,
      overwrite: true,
      reviews: format === 'gpkg' ? reviews : undefined,
    }).files;
    totalTimes.push(performance.now() - t0);
  }
  const check = median(checkTimes);
  const total = median(totalTimes);
  rows.push([
    target.name,
    (check / 1000).toFixed(2),
    (total / 1000).toFixed(2),
    String(Math.round(N / (total / 1000))),
    (sizeOf(files) / 1e6).toFixed(1),
  ]);
}

const header = ['export', 'check s', 'check+write s', 'patches/s', 'MB'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]): string =>
  cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
const vertices = records.reduce(
  (sum, r) => sum + JSON.stringify(r.geometry.coordinates).split('],[').length,
  0,
);
console.log(
  `${N} patches (~${Math.round(vertices / N)} vertices each), median of ${RUNS} runs, Node ${process.version}, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
);
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of rows) console.log(line(row));
if (args.includes('--keep')) console.log(`files kept in ${dir}`);
else rmSync(dir, { recursive: true, force: true });
