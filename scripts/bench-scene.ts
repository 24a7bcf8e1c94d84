/**
 * Benchmark scenes from real imagery: a real VHR GeoTIFF mirrored out to size × size pixels per
 * date, with synthetic construction sites pasted into the after date (new buildings with shadows,
 * earthworks, new roads) and a global radiometric shift the engine is expected to ignore. Written
 * with LandWatch's streaming GeoTIFF writer, block row by block row, so building a 16384² pair
 * needs a few tens of MB. The same seed and size always give the same pixels, and change density
 * does not depend on the size (sites are drawn per 1024² block).
 */
import { createGeoTiffWriter } from '../electron/engine/raster/geotiff-write.js';
import { RasterSource } from '../electron/engine/raster/raster-source.js';
import { seededRandom } from '../electron/engine/random.js';

type Rgb = [number, number, number];

/** A pasted change, in scene pixels: [x, y, width, height]. */
export interface BenchChange {
  kind: 'building' | 'earthwork' | 'road';
  rect: [number, number, number, number];
  colour: Rgb;
}

export interface BenchScene {
  before: string;
  after: string;
  size: number;
  changes: BenchChange[];
}

const BLOCK = 1024;
const ROOFS: Rgb[] = [
  [178, 84, 62],
  [160, 160, 165],
  [72, 104, 156],
  [222, 216, 204],
  [128, 74, 52],
];

/** Construction sites: in about a third of the 1024² blocks, 2–5 changes within 400 px. */
export function benchChanges(size: number, seed = 7): BenchChange[] {
  const out: BenchChange[] = [];
  for (let by = 0; by < size; by += BLOCK) {
    for (let bx = 0; bx < size; bx += BLOCK) {
      const rand = seededRandom(seed * 1_000_003 + (by / BLOCK) * 4096 + bx / BLOCK);
      if (rand() > 0.35) continue;
      const sx = bx + 60 + Math.floor(rand() * (BLOCK - 520));
      const sy = by + 60 + Math.floor(rand() * (BLOCK - 520));
      const n = 2 + Math.floor(rand() * 4);
      for (let i = 0; i < n; i++) {
        const x = sx + Math.floor(rand() * 340);
        const y = sy + Math.floor(rand() * 340);
        const k = rand();
        if (k < 0.65) {
          const w = 16 + Math.floor(rand() * 30);
          const h = 14 + Math.floor(rand() * 22);
          out.push({ kind: 'building', rect: [x, y, w, h], colour: ROOFS[i % ROOFS.length] });
        } else if (k < 0.9) {
          const w = 50 + Math.floor(rand() * 60);
          const h = 40 + Math.floor(rand() * 50);
          out.push({ kind: 'earthwork', rect: [x, y, w, h], colour: [176, 148, 108] });
        } else {
          out.push({
            kind: 'road',
            rect: [x, y, 120 + Math.floor(rand() * 120), 7],
            colour: [128, 124, 120],
          });
        }
      }
    }
  }
  return out.filter((c) => c.rect[0] + c.rect[2] + 4 < size && c.rect[1] + c.rect[3] + 4 < size);
}

/**
 * Writes before/after GeoTIFFs of size² px (3 bands, uint8, tiled 256, deflate, with 2 × 2-mean
 * overviews at 1/2, 1/4, … like a COG) into `dir`.
 */
export async function writeBenchScene(
  sourcePath: string,
  dir: string,
  size: number,
  seed = 7,
): Promise<BenchScene> {
  const src = await RasterSource.open(sourcePath);
  const { width: sw, height: sh, geoTransform, geoKeyTags } = src.info;
  const bands = [0, 1, 2];
  const [r, g, b] = await src.readWindow({ x: 0, y: 0, width: sw, height: sh }, bands);
  src.close();
  const changes = benchChanges(size, seed);
  const paths = {
    before: `${dir}/bench-${size}-before.tif`,
    after: `${dir}/bench-${size}-after.tif`,
  };
  for (const date of ['before', 'after'] as const) {
    const writer = await createGeoTiffWriter(paths[date], {
      width: size,
      height: size,
      bands: 3,
      sampleFormat: 'uint8',
      photometric: 'rgb',
      geoTransform,
      geoKeys: {
        copyFrom: {
          geoKeyDirectory: geoKeyTags.directory,
          doubleParams: geoKeyTags.doubleParams,
          asciiParams: geoKeyTags.asciiParams,
        },
      },
      // Internal overviews down to about 256 px, as COG deliveries carry them.
      overviews: Math.max(0, Math.ceil(Math.log2(size / 256))),
      overwrite: true,
    });
    const rows = writer.blockHeight;
    for (let y0 = 0; y0 < size; y0 += rows) {
      const n = Math.min(rows, size - y0);
      const block = new Uint8Array(n * size * 3);
      for (let y = 0; y < n; y++) {
        const sy = mirror(y0 + y, sh);
        for (let x = 0; x < size; x++) {
          const k = sy * sw + mirror(x, sw);
          const o = (y * size + x) * 3;
          block[o] = r[k];
          block[o + 1] = g[k];
          block[o + 2] = b[k];
        }
      }
      if (date === 'after') paintAfter(block, size, y0, n, changes, seed);
      await writer.writeRows(block);
    }
    await writer.close();
  }
  return { ...paths, size, changes };
}

/** Index into a mirrored repetition of 0 … n-1 (no seams where copies meet). */
function mirror(i: number, n: number): number {
  const m = i % (2 * n);
  return m < n ? m : 2 * n - 1 - m;
}

/** Season shift everywhere, then the changes that intersect rows y0 … y0 + n - 1. */
function paintAfter(
  block: Uint8Array,
  size: number,
  y0: number,
  n: number,
  changes: BenchChange[],
  seed: number,
): void {
  for (let i = 0; i < block.length; i += 3) {
    block[i] = clamp(block[i] * 1.06 + 5);
    block[i + 1] = clamp(block[i + 1] * 1.03 + 3);
    block[i + 2] = clamp(block[i + 2] * 0.96);
  }
  const paint = (x: number, y: number, w: number, h: number, c: Rgb, amp: number) => {
    for (let yy = Math.max(y, y0); yy < Math.min(y + h, y0 + n); yy++) {
      const noise = seededRandom(seed + yy * 7919 + x);
      for (let xx = x; xx < x + w; xx++) {
        const o = ((yy - y0) * size + xx) * 3;
        const v = (noise() - 0.5) * 2 * amp;
        block[o] = clamp(c[0] + v);
        block[o + 1] = clamp(c[1] + v);
        block[o + 2] = clamp(c[2] + v);
      }
    }
  };
  for (const ch of changes) {
    const [x, y, w, h] = ch.rect;
    if (y + h + 4 <= y0 || y >= y0 + n) continue;
    if (ch.kind === 'building') {
      paint(x + 3, y + 3, w, h, [46, 48, 44], 3);
      paint(x, y, w, h, ch.colour, 4);
      const ridge: Rgb = [ch.colour[0] * 0.8, ch.colour[1] * 0.8, ch.colour[2] * 0.8];
      if (w >= h) paint(x, y + (h >> 1), w, 1, ridge, 2);
      else paint(x + (w >> 1), y, 1, h, ridge, 2);
    } else {
      paint(x, y, w, h, ch.colour, ch.kind === 'road' ? 4 : 14);
    }
  }
}

const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));
