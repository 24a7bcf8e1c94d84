/**
 * Radiometric matching (raster/radiometry.ts): the after date is mapped band by band onto the
 * before date's median and 10–90 % spread, from sampled windows of any source with windowed reads
 * (a GeoTIFF or an in-memory pair, as the evaluation feeds it).
 */
import { describe, expect, it } from 'vitest';
import { matchBand, prepareDates } from '../../../electron/engine/raster/radiometry.js';
import { MemoryRaster } from '../../../electron/engine/raster/memory-raster.js';
import { seededRandom } from '../../../electron/engine/random.js';

const EIGHT_BIT = { bitsPerSample: 8, sampleFormat: 'uint' } as const;

function texture(width: number, height: number, seed: number): Float32Array[] {
  const rand = seededRandom(seed);
  return [0, 1, 2].map(() =>
    Float32Array.from({ length: width * height }, () => 40 + 150 * rand()),
  );
}

describe('radiometric matching', () => {
  it('recovers a global gain and offset between the dates', async () => {
    const [w, h] = [300, 200];
    const planes = texture(w, h, 3);
    const before = new MemoryRaster('before', w, h, planes, EIGHT_BIT);
    // after = (before − 10) / 1.25 on band 0, + 20 on band 1, unchanged band 2
    const after = new MemoryRaster(
      'after',
      w,
      h,
      [planes[0].map((v) => (v - 10) / 1.25), planes[1].map((v) => v + 20), planes[2]],
      EIGHT_BIT,
    );
    const bands = [0, 1, 2];
    const { dates, notes } = await prepareDates(before, after, [bands, bands], {
      stretch: 'auto',
      match: true,
    });
    const [l0, l1, l2] = dates[1].linear;
    expect(l0?.gain).toBeCloseTo(1.25, 2);
    expect(l0?.offset).toBeCloseTo(10, 0);
    expect(l1?.gain).toBeCloseTo(1, 2);
    expect(l1?.offset).toBeCloseTo(-20, 0);
    expect(l2?.gain).toBeCloseTo(1, 5);
    expect(dates[0].linear).toEqual([null, null, null]);
    expect(notes.join(' ')).toContain('after matched to before');
  });

  it('leaves the after date alone when matching is off', async () => {
    const planes = texture(64, 64, 5);
    const r = new MemoryRaster('x', 64, 64, planes, EIGHT_BIT);
    const { dates, notes } = await prepareDates(r, r, [[0], [0]], {
      stretch: 'auto',
      match: false,
    });
    expect(dates[1].linear).toEqual([null]);
    expect(notes.join(' ')).not.toContain('matched');
  });

  it('gives no map for a flat band', () => {
    expect(matchBand(new Float32Array(100).fill(7), Float32Array.from([1, 2, 3]))).toBeNull();
  });
});
