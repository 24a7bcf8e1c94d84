/**
 * `npm run bench`: the engine on scenes built from real imagery at two sizes, run as users run it
 * (`landwatch detect` in a separate process each time), with and without coarse screening. Prints
 * a table: throughput per date pair, peak RSS, the execution provider, and for screening its
 * speed-up over the full sweep and the share of the full sweep's changed pixels it loses. Not a
 * test: numbers depend on the machine and on what else runs on it.
 *
 *   npm run bench [-- --sizes 4096,16384] [--device auto] [--source <real RGB GeoTIFF>] [--keep]
 *                 [--model <id>]   (default: the app's default change model)
 *                 [--runs n]       (full sweep and screened run n times per size; default 1)
 *
 * The model's own time is measured before, between and after the runs of a size, and each run is
 * set beside the mean of the two measurements around it, so a load that changes while the bench
 * runs moves both sides of the ratio alike.
 *
 * Scenes (scripts/bench-scene.ts) mirror a real VHR GeoTIFF (default ../shared/data's
 * dop-rgb.tif) out to size² px per date with synthetic construction sites pasted into the after
 * date; they are written with LandWatch's streaming GeoTIFF writer into a temporary folder, with
 * internal 2 × 2-mean overviews as COG deliveries carry them (screening reads its coarse level from
 * the 1/4 overview). The table gives the share of tiles screening keeps next to its speed-up: the
 * speed-up cannot exceed total tiles / (coarse tiles + kept tiles).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cropsFromText } from '../electron/engine/inference/tile-crops.js';
import type { Tile } from '../electron/engine/inference/tiling.js';
import { RasterSource } from '../electron/engine/raster/raster-source.js';
import { modelSecondsForRects, modelSecondsPerTile } from './bench-model-own.js';
import { writeBenchScene } from './bench-scene.js';
import { landwatchArgs, landwatchEnv } from './landwatch-command.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '4096,16384' },
    device: { type: 'string', default: 'auto' },
    data: { type: 'string', default: process.env.LANDWATCH_DATA ?? join('..', 'shared', 'data') },
    source: { type: 'string' },
    keep: { type: 'boolean', default: false },
    model: { type: 'string' },
    runs: { type: 'string', default: '1' },
  },
});
const source = values.source ?? join(values.data as string, 'geotiff', 'vhr', 'dop-rgb.tif');
if (!existsSync(source)) {
  console.error(`bench: ${source} not found (set --data or LANDWATCH_DATA, or pass --source)`);
  process.exit(2);
}
if (!existsSync(join('dist', 'node', 'landwatch.js'))) {
  console.error('bench: run `npm run build` first (the bench runs the built CLI)');
  process.exit(2);
}
const sizes = (values.sizes as string).split(',').map(Number);
const out = mkdtempSync(join(tmpdir(), 'lw-bench-'));

interface Stats {
  wallSeconds: number;
  openSeconds: number;
  inferSeconds: number;
  vectoriseSeconds: number;
  peakRssMB: number;
  pixels: number;
  executionProvider: string;
  polygons: number;
  tiles: { total: number; run: number; skipped: number } | null;
  phases: Record<string, number> | null;
  screening: {
    seconds: number;
    activeTiles: number;
    totalTiles: number;
    coarseTiles: number;
    refinedShare?: number;
    beforeOverview?: number;
  } | null;
}

/** One `landwatch detect` in its own process; returns its --stats line and the mask path. */
function detect(before: string, after: string, tag: string, fullSweep: boolean) {
  const mask = join(out, `${tag}-mask.tif`);
  const args = ['detect', '--before', before, '--after', after];
  args.push(
    '--out',
    join(out, `${tag}.gpkg`),
    '--mask',
    mask,
    '--work-dir',
    join(out, `work-${tag}`),
  );
  args.push('--overwrite', '--quiet', '--stats', '--fresh', '--device', values.device as string);
  if (values.model) args.push('--model', values.model);
  args.push(fullSweep ? '--full-sweep' : '--screening');
  const run = spawnSync(process.execPath, landwatchArgs(args), {
    encoding: 'utf8',
    env: landwatchEnv(),
  });
  const line = run.stderr.split('\n').find((l) => l.startsWith('stats: '));
  if (run.status !== 0 || !line) {
    throw new Error(`detect ${tag} failed: ${run.stderr.trim().split('\n').pop()}`);
  }
  return { stats: JSON.parse(line.slice(7)) as Stats, mask };
}

/** The crops a screened run ran (from its work folder's run record), or null for whole tiles. */
function screenedCrops(workDir: string): Tile[] | null {
  const record = JSON.parse(readFileSync(join(workDir, 'run.json'), 'utf8')) as {
    plan: string | null;
    crops?: string | null;
  };
  if (!record.plan || !record.crops) return null;
  const plan = Buffer.from(record.plan, 'base64');
  const crops = cropsFromText(record.crops, plan.length);
  if (!crops) return null;
  const rects: Tile[] = [];
  for (let t = 0; t < plan.length; t++) {
    if (plan[t])
      rects.push({
        x: crops[t * 4],
        y: crops[t * 4 + 1],
        width: crops[t * 4 + 2],
        height: crops[t * 4 + 3],
      });
  }
  return rects;
}

/** Changed pixels of the full sweep's mask, and how many of them the screened mask lacks. */
async function lostPixels(fullMask: string, screenedMask: string) {
  const [a, b] = await Promise.all([RasterSource.open(fullMask), RasterSource.open(screenedMask)]);
  const { width, height } = a.info;
  let changed = 0;
  let lost = 0;
  for (let y = 0; y < height; y += 256) {
    const win = { x: 0, y, width, height: Math.min(256, height - y) };
    const [[m1], [m2]] = await Promise.all([a.readWindow(win, [0]), b.readWindow(win, [0])]);
    for (let i = 0; i < m1.length; i++) {
      if (!m1[i]) continue;
      changed++;
      if (!m2[i]) lost++;
    }
  }
  a.close();
  b.close();
  return { changed, lost };
}

const rows: string[] = [];
const phaseRows: string[] = [];
const summary: string[] = [];
const PHASES = [
  'open',
  'screen',
  'read',
  'normalise',
  'model',
  'wait',
  'blend',
  'write',
  'vectorise',
];
const rss: Record<string, number[]> = { full: [], screened: [] };
const perMp: number[] = [];
try {
  for (const size of sizes) {
    const t0 = performance.now();
    const scene = await writeBenchScene(source, out, size);
    const build = (performance.now() - t0) / 1000;
    console.error(
      `bench: ${size}² scene (${scene.changes.length} changes) written in ${build.toFixed(0)} s`,
    );
    const ownTime = async () => {
      const own = await modelSecondsPerTile(scene.before, scene.after, {
        modelId: values.model as string | undefined,
        device: values.device as string,
      });
      console.error(`bench: ${size}² model alone ${own.secondsPerTile.toFixed(3)} s per tile`);
      return own.secondsPerTile;
    };
    const mp = (size * size) / 1e6;
    const runs = Math.max(1, Number(values.runs) || 1);
    const sizeRss = { full: 0, screened: 0 };
    const sizePerMp: number[] = [];
    let ownBefore = await ownTime();
    for (let run = 1; run <= runs; run++) {
      const label = (mode: string) => (runs > 1 ? `${mode} (run ${run})` : mode);
      const full = detect(scene.before, scene.after, `${size}-full`, true);
      console.error(`bench: ${size}² full sweep ${full.stats.wallSeconds} s`);
      const ownBetween = await ownTime();
      const screened = detect(scene.before, scene.after, `${size}-screened`, false);
      console.error(`bench: ${size}² screened ${screened.stats.wallSeconds} s`);
      const ownAfter = await ownTime();
      const { changed, lost } = await lostPixels(full.mask, screened.mask);
      for (const [name, r] of [
        ['full sweep', full.stats],
        ['screened', screened.stats],
      ] as const) {
        const t = r.tiles;
        const screen = r.screening?.seconds ?? 0;
        // The detect phases; "rest" is the CLI around them (export of the polygons, the mask copy).
        const rest = r.wallSeconds - r.openSeconds - r.inferSeconds - r.vectoriseSeconds;
        const phases = [r.openSeconds, screen, r.inferSeconds - screen, r.vectoriseSeconds, rest];
        rows.push(
          `| ${size}² (${mp.toFixed(1)} MP) | ${label(name)} | ${r.executionProvider} | ${t ? `${t.run}/${t.total}` : '–'} | ${r.wallSeconds.toFixed(1)} | ${phases.map((v) => v.toFixed(1)).join(' / ')} | ${(mp / r.wallSeconds).toFixed(2)} | ${r.peakRssMB.toFixed(0)} | ${r.polygons} |`,
        );
      }
      // A screened run's crops (its run record) are timed one by one; whole tiles at the median.
      const crops = screenedCrops(join(out, `work-${size}-screened`));
      const cropsOwn = crops
        ? await modelSecondsForRects(scene.before, scene.after, crops, {
            modelId: values.model as string | undefined,
            device: values.device as string,
          })
        : null;
      for (const [name, r, own] of [
        ['full sweep', full.stats, (ownBefore + ownBetween) / 2],
        ['screened', screened.stats, (ownBetween + ownAfter) / 2],
      ] as const) {
        // Tiles the model ran: the kept ones (or their crops), plus for screening its coarse pass
        // (same tile size).
        const tiles = (r.tiles?.run ?? 0) + (r.screening?.coarseTiles ?? 0);
        const modelOwn =
          name === 'screened' && cropsOwn !== null
            ? (r.screening?.coarseTiles ?? 0) * own + cropsOwn
            : tiles * own;
        const p = r.phases ?? {};
        phaseRows.push(
          `| ${size}² | ${label(name)} | ${tiles} | ${r.wallSeconds.toFixed(1)} | ${modelOwn.toFixed(1)} | ${(r.wallSeconds / modelOwn).toFixed(2)}× | ${PHASES.map((k) => (p[k] ?? 0).toFixed(1)).join(' | ')} |`,
        );
      }
      ownBefore = ownAfter;
      sizeRss.full = Math.max(sizeRss.full, full.stats.peakRssMB);
      sizeRss.screened = Math.max(sizeRss.screened, screened.stats.peakRssMB);
      sizePerMp.push(full.stats.wallSeconds / mp);
      const sc = screened.stats.screening;
      // Model pixels of the full sweep over those screening runs (coarse tiles + kept tiles or
      // their crops): the speed-up's ceiling.
      const refined = sc ? (sc.refinedShare ?? sc.activeTiles / sc.totalTiles) : 0;
      const tiles = sc
        ? `${sc.activeTiles}/${sc.totalTiles} (${((100 * sc.activeTiles) / sc.totalTiles).toFixed(1)} %) | ${(100 * refined).toFixed(1)} % | ${sc.coarseTiles} (1/${sc.beforeOverview ?? 1} overview) | ${(1 / (sc.coarseTiles / sc.totalTiles + refined)).toFixed(2)}×`
        : '– | – | – | –';
      summary.push(
        `| ${size}²${runs > 1 ? ` (run ${run})` : ''} | ${(full.stats.wallSeconds / screened.stats.wallSeconds).toFixed(2)}× | ${tiles} | ${sc?.seconds.toFixed(1) ?? '–'} s | ${changed} | ${lost} (${((100 * lost) / Math.max(1, changed)).toFixed(2)} %) |`,
      );
    }
    // Per size: the highest peak of its runs, the mean time per MP.
    rss.full.push(sizeRss.full);
    rss.screened.push(sizeRss.screened);
    perMp.push(sizePerMp.reduce((a, b) => a + b, 0) / sizePerMp.length);
    if (!values.keep) {
      for (const f of [scene.before, scene.after]) rmSync(f, { force: true });
      for (const tag of ['full', 'screened']) {
        rmSync(join(out, `work-${size}-${tag}`), { recursive: true, force: true });
      }
    }
  }
} finally {
  if (!values.keep) rmSync(out, { recursive: true, force: true });
}

console.log(
  `\nEngine benchmark on ${source.split('/').pop()} mirrored to size² px per date, model ${values.model ?? 'default'} (node ${process.version}, ${process.platform}/${process.arch})\n`,
);
console.log(
  '| scene per date | mode | EP | tiles run | detect s | open / screen / tiles / vectorise / export s | MP/s (pair) | peak RSS MB | polygons |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) console.log(r);
console.log(
  `\nThe model's own time: ORT run alone on prepared inputs of the same scene, median s per tile × tiles run; end-to-end = the whole \`landwatch detect\`. Phases (s) overlap: the next tile is prepared while the model runs (wait = the model idle for inputs).\n`,
);
console.log(
  `| scene | mode | model tiles | end-to-end s | model own s | ratio | ${PHASES.join(' | ')} |`,
);
console.log(`| --- | --- | --- | --- | --- | --- |${' --- |'.repeat(PHASES.length)}`);
for (const r of phaseRows) console.log(r);
console.log(
  '\n| scene | screening speed-up | tiles kept (share) | model px refined (crops) | coarse tiles (read from) | model-pixel ceiling | of which screening | full-sweep changed px | lost by screening |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const s of summary) console.log(s);
if (sizes.length >= 2) {
  const ratio = (xs: number[]) => (xs[xs.length - 1] / xs[0]).toFixed(2);
  console.log(
    `\npeak RSS ${sizes[sizes.length - 1]}² / ${sizes[0]}²: full sweep ${ratio(rss.full)}, screened ${ratio(rss.screened)}`,
  );
  console.log(
    `full-sweep seconds per MP: ${perMp.map((v, i) => `${sizes[i]}² ${v.toFixed(2)}`).join(', ')} (ratio ${ratio(perMp)})`,
  );
}
