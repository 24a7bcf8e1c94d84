/**
 * `npm run bench:seams`: how far the blended tiles of a sweep are from one whole-image pass of the
 * same model, and what the tile grid costs in model pixels — the measurement behind the card's
 * overlap and trim (tiling.ts `SEAM_TRIM`) and the fitted grid (`fittedAxes`). A change model sees
 * further than the overlap, so a tile's pixels nearest its edge lack context; the blend decides how
 * much they count. For each scene, overlap and trim: the worst and mean |Δp| away from a 16-px
 * border, the pixels whose side of the card's threshold differs, and the model's input pixels per
 * scene pixel. Real imagery: `../shared/data` dop-rgb mirrored with synthetic changes
 * (bench-scene.ts); one synthetic textured pair as a control. Not a test: the figures are the
 * model's, and they decide a default.
 *
 *   npm run bench:seams [-- --model lw-siamese-v2] [--sizes 1536,2304] [--overlaps 128,192]
 *                       [--trims 0,0.125,0.25,0.375]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ModelCard } from '../electron/engine/inference/model-card.js';
import { findModel } from '../electron/engine/inference/model-registry.js';
import { createModelSession, type ModelSession } from '../electron/engine/inference/session.js';
import { windowAxes } from '../electron/engine/inference/tile-rows.js';
import { predictWindow } from '../electron/engine/inference/tile-runner.js';
import { MemoryRaster } from '../electron/engine/raster/memory-raster.js';
import { RasterSource } from '../electron/engine/raster/raster-source.js';
import { dataPath } from '../test/helpers/data.js';
import { syntheticRaster } from '../test/helpers/synthetic.js';
import { writeBenchScene } from './bench-scene.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    sizes: { type: 'string', default: '1536,2304' },
    overlaps: { type: 'string' },
    trims: { type: 'string', default: '0,0.125,0.25,0.375' },
  },
});
const list = (s: string) => s.split(',').map(Number);
const model = findModel(values.model);
const card = model.card;
const overlaps = values.overlaps ? list(values.overlaps) : [card.tile.overlap];
const trims = list(values.trims as string);
const MARGIN = 16;

interface Pair {
  name: string;
  before: MemoryRaster;
  after: MemoryRaster;
}

/** The bench scene (real imagery, seed 3) at size² px, read into memory. */
async function realPair(size: number, dir: string): Promise<Pair> {
  const scene = await writeBenchScene(dataPath('geotiff', 'vhr', 'dop-rgb.tif'), dir, size, 3);
  const read = async (path: string, name: string) => {
    const src = await RasterSource.open(path);
    const planes = await src.readWindow({ x: 0, y: 0, width: size, height: size }, [0, 1, 2]);
    src.close();
    return new MemoryRaster(name, size, size, planes);
  };
  return {
    name: `dop-rgb ${size}²`,
    before: await read(scene.before, 'before'),
    after: await read(scene.after, 'after'),
  };
}

/** Textured dates with changed blocks (the seam tests' pair). */
function syntheticPair(w: number, h: number): Pair {
  const date = (changed: boolean) =>
    syntheticRaster(changed ? 'after' : 'before', w, h, 3, (x, y, b) =>
      changed && (x + 40) % 300 < 90 && (y + 20) % 260 < 70
        ? 200 - b * 30
        : 110 + 60 * Math.sin(x / 9 + b) * Math.cos(y / 13) + ((x * 7 + y * 13 + b * 5) % 17),
    );
  return { name: `synthetic ${w}×${h}`, before: date(false), after: date(true) };
}

function predict(s: ModelSession, pair: Pair, tile: ModelCard['tile']): Promise<Float32Array> {
  const { width, height } = pair.before;
  const date = (source: MemoryRaster) => ({
    source,
    bands: [0, 1, 2],
    stretch: [null, null, null],
    dx: 0,
    dy: 0,
  });
  return predictWindow({
    session: s.session,
    card: { ...card, tile },
    dates: [date(pair.before), date(pair.after)],
    window: { x: 0, y: 0, width, height },
  });
}

const dir = mkdtempSync(join(tmpdir(), 'lw-bench-seams-'));
const session = await createModelSession(model.onnxPath, 'cpu');
const rows: string[] = [];
try {
  const pairs = [syntheticPair(1088, 992)];
  for (const size of list(values.sizes as string)) pairs.push(await realPair(size, dir));
  for (const pair of pairs) {
    const { width: w, height: h } = pair.before;
    const whole = await predict(session, pair, { ...card.tile, size: Math.max(w, h), overlap: 0 });
    for (const overlap of overlaps) {
      const tile = { ...card.tile, overlap };
      const axes = windowAxes({ ...card, tile }, w, h);
      const modelPx = axes.xs.length * axes.ys.length * axes.tileWidth * axes.tileHeight;
      for (const trim of trims) {
        const tiled = await predict(session, pair, { ...tile, trim });
        let worst = 0;
        let sum = 0;
        let n = 0;
        let flips = 0;
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            const i = y * w + x;
            if (whole[i] >= card.threshold !== tiled[i] >= card.threshold) flips++;
            if (y < MARGIN || y >= h - MARGIN || x < MARGIN || x >= w - MARGIN) continue;
            const d = Math.abs(whole[i] - tiled[i]);
            worst = Math.max(worst, d);
            sum += d;
            n++;
          }
        }
        rows.push(
          `| ${pair.name} | ${axes.xs.length}×${axes.ys.length} of ${axes.tileWidth}×${axes.tileHeight} | ${overlap} | ${trim}${trim === card.tile.trim ? ' (card)' : ''} | ${worst.toFixed(4)} | ${(sum / n).toExponential(2)} | ${flips} | ${(modelPx / (w * h)).toFixed(2)} |`,
        );
        process.stderr.write(`bench:seams: ${pair.name} overlap ${overlap} trim ${trim} done\n`);
      }
    }
  }
} finally {
  await session.dispose();
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(
  `\nSeams of ${card.id} (tile ${card.tile.size} px, fitted grid) against one whole-image pass, cpu\n\n` +
    '| scene | grid | overlap px | trim | worst abs diff | mean abs diff | threshold flips | model px per scene px |\n' +
    '| --- | --- | --- | --- | --- | --- | --- | --- |\n' +
    `${rows.join('\n')}\n`,
);
