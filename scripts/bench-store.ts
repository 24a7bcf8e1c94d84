/**
 * Benchmarks the project store: bulk insert of a detection run, the review queue with filters,
 * a viewport (bounds) query, the next-patch fetch, a review and its undo, a bulk review, and a
 * re-run that links to decided patches. Prints one table.
 *
 * Usage: npx tsx scripts/bench-store.ts [--patches 10000] [--keep]
 *
 * Patches are 12-vertex polygons of 40–400 m² scattered over a square scene sized for about one
 * patch per 2,500 m² (pixel-edge outlines after simplification have about that many vertices).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ProjectStore,
  type NewDetection,
  type SceneSource,
} from '../electron/engine/store/project-store.js';
import { seededRandom } from '../electron/engine/random.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const N = flag('patches', 10_000);
const side = Math.ceil(Math.sqrt(N * 2500));

const X0 = 400_000;
const Y0 = 3_000_000;

function sceneOf(role: 'before' | 'after'): SceneSource {
  return {
    path: `/bench/${role}.tif`,
    name: `${role}.tif`,
    width: side * 2,
    height: side * 2,
    bands: 3,
    geoTransform: [X0, 0.5, 0, Y0 + side, 0, -0.5],
    crs: {
      id: 'EPSG:32650',
      name: 'WGS 84 / UTM zone 50N',
      wkt: null,
      proj4: null,
      epsg: 32650,
      geographic: false,
      metresPerUnit: 1,
    },
    metadata: { date: null },
  };
}

/** A star-shaped 12-gon around (cx, cy), counter-clockwise. */
function blob(random: () => number, cx: number, cy: number, shift = 0): NewDetection {
  const r = 4 + random() * 7;
  const ring: number[][] = [];
  for (let k = 0; k < 12; k++) {
    const a = (k / 12) * 2 * Math.PI;
    const rr = r * (0.75 + 0.25 * random());
    ring.push([cx + shift + rr * Math.cos(a), cy + rr * Math.sin(a)]);
  }
  ring.push(ring[0]);
  const xs = ring.map((p) => p[0]);
  const ys = ring.map((p) => p[1]);
  const area = Math.PI * r * r * 0.8;
  const mean = 0.5 + random() * 0.5;
  return {
    rings: [ring],
    areaM2: area,
    areaMu: area / (10000 / 15),
    perimeter: 2 * Math.PI * r,
    meanProb: mean,
    maxProb: Math.min(1, mean + 0.1),
    pixelCount: Math.round(area * 4),
    bbox: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)],
  };
}

function detections(seed: number, shift = 0): NewDetection[] {
  const random = seededRandom(seed);
  const cells = Math.ceil(Math.sqrt(N));
  const step = side / cells;
  return Array.from({ length: N }, (_, i) =>
    blob(random, X0 + ((i % cells) + 0.5) * step, Y0 + (Math.floor(i / cells) + 0.5) * step, shift),
  );
}

const rows: [string, string, string][] = [];

/** Times `fn` `times` times; records the median (and p95 when repeated). */
function time(label: string, times: number, fn: (i: number) => unknown): void {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    fn(i);
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const median = ms[Math.floor(ms.length / 2)];
  const p95 = ms[Math.min(ms.length - 1, Math.floor(ms.length * 0.95))];
  rows.push([label, median.toFixed(2), times > 1 ? p95.toFixed(2) : '']);
}

const dir = mkdtempSync(join(tmpdir(), 'lw-bench-store-'));
const path = join(dir, 'bench.landwatch');
const store = ProjectStore.create(path, 'bench', sceneOf('before'), sceneOf('after'));
const run = (id: string) => ({
  id,
  modelId: 'bench',
  modelVersion: '1',
  threshold: 0.5,
  minArea: 0,
  params: {},
  executionProvider: 'cpu',
  startedAt: new Date().toISOString(),
  seconds: 0,
});

const first = detections(1);
time(`insert run of ${N} patches (one transaction)`, 1, () => store.addRun(run('r1'), first));
const filter = { states: ['unreviewed' as const], minConfidence: 0.6, minAreaM2: 100 };
time('queue page 1 (50, no filter)', 50, () => store.queue({}, 0, 50));
time('queue page 1 (50, state+confidence+area)', 50, () => store.queue(filter, 0, 50));
time('queue page at offset N/2 (50, filtered)', 20, () =>
  store.queue(filter, Math.floor(N / 4), 50),
);
// About 1,000 patches: a window holding 1/(N/1000) of the scene.
const w = side * Math.sqrt(1000 / N);
const cx = X0 + side / 2;
const cy = Y0 + side / 2;
const bbox: [number, number, number, number] = [cx - w / 2, cy - w / 2, cx + w / 2, cy + w / 2];
let inView = 0;
time('viewport query (~1,000 patches with geometry)', 20, () => {
  inView = store.queue({ bbox }, 0, 1000).items.length;
});
let cursor = store.next(filter);
time('next patch (filtered, keyset)', 200, () => {
  cursor = store.next(filter, cursor ? Number(cursor.id) : undefined) ?? store.next(filter);
});
time('review one patch (+ audit + undo entry)', 200, (i) =>
  store.reviewMany([i + 1], 'confirmed', null, 'bench'),
);
time('undo one review', 200, () => store.undo('bench'));
time('redo one review', 200, () => store.redo('bench'));
const thousand = Array.from({ length: 1000 }, (_, i) => i + 1001);
time('bulk review of 1,000 patches', 1, () => store.reviewMany(thousand, 'field_check', null, 'b'));
time('undo the bulk review', 1, () => store.undo('b'));
store.redo('b');
time('summary counts', 20, () => store.summary());
const second = detections(1, 2); // the same changes seen again, 2 m to the east
time(`re-run of ${N} patches (links to 1,200 decided)`, 1, () => store.addRun(run('r2'), second));
const linked = store.summary().linked;

console.log(`\nProject store, ${N} patches (${side} m × ${side} m scene), better-sqlite3 WAL\n`);
const width = Math.max(...rows.map((r) => r[0].length));
console.log(`${'operation'.padEnd(width)}  median ms  p95 ms`);
for (const [label, median, p95] of rows)
  console.log(`${label.padEnd(width)}  ${median.padStart(9)}  ${p95.padStart(6)}`);
console.log(`\nviewport returned ${inView} patches; re-run linked ${linked} detections`);
store.close();
if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
