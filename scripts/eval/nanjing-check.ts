/**
 * The Nanjing Landsat pair has sparse reference pixels of change and of no change (change.bmp,
 * unchanged.bmp, 8-bit palette BMPs on the same 800 × 800 grid): the share of change pixels the
 * detector flags, and the share of no-change pixels it flags by mistake.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectChanges } from '../../electron/engine/inference/detect.js';

/** Reads an uncompressed 8-bit BMP into a top-down array of palette indices (non-zero = set). */
export function readBmp8(path: string): { width: number; height: number; data: Uint8Array } {
  const b = readFileSync(path);
  if (b.toString('latin1', 0, 2) !== 'BM') throw new Error(`${path}: not a BMP file`);
  const offset = b.readUInt32LE(10);
  const width = b.readInt32LE(18);
  const rawHeight = b.readInt32LE(22);
  const bpp = b.readUInt16LE(28);
  if (bpp !== 8 || b.readUInt32LE(30) !== 0)
    throw new Error(`${path}: only uncompressed 8-bit BMPs are read here`);
  const height = Math.abs(rawHeight);
  const stride = Math.ceil(width / 4) * 4;
  const data = new Uint8Array(width * height);
  for (let r = 0; r < height; r++) {
    const src = offset + (rawHeight > 0 ? height - 1 - r : r) * stride;
    for (let c = 0; c < width; c++) data[r * width + c] = b[src + c];
  }
  return { width, height, data };
}

export async function nanjingCheck(dataDir: string, modelId?: string): Promise<string> {
  const dir = join(dataDir, 'geotiff', 'landsat-nanjing');
  if (!existsSync(join(dir, 'change.bmp')))
    return `Nanjing reference pixels not found in ${dir}; skipped.`;
  const lines = [
    '| radiometry | change px flagged | no-change px flagged | patches |',
    '| --- | --- | --- | --- |',
  ];
  const change = readBmp8(join(dir, 'change.bmp'));
  const unchanged = readBmp8(join(dir, 'unchanged.bmp'));
  for (const match of [true, false]) {
    const r = await detectChanges({
      beforePath: join(dir, 'Nanjing_LT51200382000124BJC00_Nanjing.tif'),
      afterPath: join(dir, 'Nanjing_LT51200382002193BJC00_Nanjing.tif'),
      modelId,
      device: 'cpu',
      matchRadiometry: match,
    });
    let tp = 0;
    let nc = 0;
    let fp = 0;
    let nu = 0;
    for (let i = 0; i < r.mask.length; i++) {
      if (change.data[i]) {
        nc++;
        tp += r.mask[i];
      }
      if (unchanged.data[i]) {
        nu++;
        fp += r.mask[i];
      }
    }
    lines.push(
      `| ${match ? 'match' : 'none'} | ${((100 * tp) / nc).toFixed(1)} % of ${nc} | ${((100 * fp) / nu).toFixed(1)} % of ${nu} | ${r.polygons.length} |`,
    );
  }
  return `Nanjing Landsat TM 2000-05-03 → 2002-07-12, sparse reference pixels (a 0.5 m building model on 30 m data: out of domain)\n\n${lines.join('\n')}`;
}
