/**
 * A small PNG encoder (8-bit RGB or RGBA, no interlace) on node:zlib, so the evidence report needs
 * no image library at run time. Each row gets the PNG filter that makes it smallest (the usual
 * "minimum sum of absolute differences" heuristic), which roughly halves aerial image chips
 * compared with no filtering; size matters because every chip is embedded in the report.
 */
import { crc32, deflateSync } from 'node:zlib';
import { LandWatchError } from '../errors.js';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)) >>> 0, 8 + data.length);
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Writes row `y` filtered with `filter` into `out` (after the filter byte); returns its cost. */
function filterRow(
  pixels: Uint8Array,
  y: number,
  stride: number,
  bpp: number,
  filter: number,
  out: Uint8Array,
): number {
  const row = y * stride;
  const prev = row - stride;
  let cost = 0;
  for (let i = 0; i < stride; i++) {
    const x = pixels[row + i];
    const a = i >= bpp ? pixels[row + i - bpp] : 0;
    const b = y > 0 ? pixels[prev + i] : 0;
    const c = y > 0 && i >= bpp ? pixels[prev + i - bpp] : 0;
    const predicted =
      filter === 0
        ? 0
        : filter === 1
          ? a
          : filter === 2
            ? b
            : filter === 3
              ? (a + b) >> 1
              : paeth(a, b, c);
    const v = (x - predicted) & 0xff;
    out[i] = v;
    cost += v < 128 ? v : 256 - v; // signed magnitude, as libpng's heuristic
  }
  return cost;
}

/**
 * Encodes row-major 8-bit pixels (`channels` samples per pixel: 3 = RGB, 4 = RGBA) as a PNG file.
 *
 * @example
 * const png = encodePng(new Uint8Array(2 * 2 * 3).fill(255), 2, 2, 3); // a white 2 × 2 image
 */
export function encodePng(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: 3 | 4,
): Buffer {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new LandWatchError('E_INTERNAL', `PNG size ${width} × ${height} is not valid.`);
  }
  const stride = width * channels;
  if (pixels.length !== stride * height) {
    throw new LandWatchError(
      'E_INTERNAL',
      `PNG data has ${pixels.length} bytes; ${width} × ${height} × ${channels} needs ${stride * height}.`,
    );
  }
  const raw = Buffer.alloc((stride + 1) * height);
  const trial = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    let best = 0;
    let bestCost = Infinity;
    for (let filter = 0; filter <= 4; filter++) {
      const cost = filterRow(pixels, y, stride, channels, filter, trial);
      if (cost < bestCost) [best, bestCost] = [filter, cost];
    }
    const at = y * (stride + 1);
    raw[at] = best;
    filterRow(pixels, y, stride, channels, best, raw.subarray(at + 1, at + 1 + stride));
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = channels === 4 ? 6 : 2; // colour type: RGBA or RGB
  // compression, filter method and interlace are all 0
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A PNG as a `data:` URI for self-contained HTML. */
export function pngDataUri(png: Buffer): string {
  return `data:image/png;base64,${png.toString('base64')}`;
}
