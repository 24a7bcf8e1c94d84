/**
 * `npm run bench:adapt`: how long `landwatch adapt --pair …` takes for 2 scenes of 1024² (the
 * issue 14 bar: under 5 minutes on 2 cores). The scenes are AirChange Szada train_1 and train_2
 * (952 × 640, 1.5 m) mirrored at their edges out to 1024 × 1024, written as GeoTIFFs; the CLI is
 * run as a user runs it (`node bin/landwatch.js`, the built app), with its wall time, the host's
 * cores and its load average printed as a table.
 *   npm run build && npm run bench:adapt [-- --data ../shared/data] [--size 1024]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createGeoTiffWriter } from '../../electron/engine/raster/geotiff-write.js';
import { readPng } from './png-tiff.js';

const { values } = parseArgs({
  options: {
    data: {
      type: 'string',
      default: process.env.LANDWATCH_DATA ?? join(process.cwd(), '..', 'shared', 'data'),
    },
    size: { type: 'string', default: '1024' },
  },
});
const size = Number(values.size);
const site = join(values.data as string, 'cd-pairs', 'airchange-szada');
if (!existsSync(site)) {
  console.error(`bench:adapt: AirChange Szada is not at ${site}; pass --data.`);
  process.exit(2);
}

/** Index `i` reflected into [0, n) (…2 1 0 1 2 … n−2 n−1 n−2 …). */
function reflect(i: number, n: number): number {
  const period = 2 * (n - 1);
  const m = ((i % period) + period) % period;
  return m < n ? m : period - m;
}

/** A PNG mirrored out to size × size as a GeoTIFF: RGB, or band 1 (0/255) for a label. */
async function mirroredTiff(png: string, out: string, label: boolean): Promise<void> {
  const img = readPng(png);
  const bands = label ? 1 : 3;
  const w = await createGeoTiffWriter(out, {
    width: size,
    height: size,
    bands,
    sampleFormat: 'uint8',
    photometric: label ? 'minisblack' : 'rgb',
    geoTransform: [500000, 1.5, 0, 4000000, 0, -1.5],
    geoKeys: { epsg: 32633 },
    overwrite: true,
  });
  const data = new Uint8Array(size * size * bands);
  for (let r = 0; r < size; r++) {
    const sr = reflect(r, img.height);
    for (let c = 0; c < size; c++) {
      const src = (sr * img.width + reflect(c, img.width)) * 4;
      for (let b = 0; b < bands; b++) {
        const v = img.data[src + b];
        data[(r * size + c) * bands + b] = label ? (v > 127 ? 255 : 0) : v;
      }
    }
  }
  await w.writeRows(data);
  await w.close();
}

const work = mkdtempSync(join(tmpdir(), 'lw-bench-adapt-'));
try {
  const pairs: string[] = [];
  for (const scene of ['train_1', 'train_2']) {
    const files = ['A', 'B', 'label'].map((d) => join(work, `${scene}-${d}.tif`));
    await mirroredTiff(join(site, 'A', `${scene}.png`), files[0], false);
    await mirroredTiff(join(site, 'B', `${scene}.png`), files[1], false);
    await mirroredTiff(join(site, 'label', `${scene}.png`), files[2], true);
    pairs.push('--pair', files.join(','));
  }
  const load = loadavg()[0];
  const t0 = performance.now();
  const run = spawnSync(
    process.execPath,
    ['bin/landwatch.js', 'adapt', ...pairs, '--out', join(work, 'adapted')],
    { encoding: 'utf8', env: { ...process.env, LANDWATCH_WORK: join(work, 'scratch') } },
  );
  const seconds = (performance.now() - t0) / 1000;
  if (run.status !== 0) {
    console.error(`bench:adapt: landwatch adapt failed (exit ${run.status}):\n${run.stderr}`);
    process.exit(1);
  }
  console.log(`\nlandwatch adapt on 2 scenes of ${size}² (AirChange train_1, train_2 mirrored)\n`);
  console.log('| scenes | pixels each | wall s | cores | load average (1 min) before | bar |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  console.log(
    `| 2 | ${size}² | ${seconds.toFixed(1)} | ${cpus().length} | ${load.toFixed(2)} | ${seconds < 300 ? 'under 5 min' : 'OVER 5 min'} |`,
  );
  const last = run.stdout.trim().split('\n').slice(-3).join('\n');
  console.log(`\n${last}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
