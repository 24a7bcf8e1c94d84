/**
 * tileFeeds gives the model the same inputs whichever way they are built: the 8-bit table path or
 * the general Float32 path, fresh arrays or a run's reused (dirty) pool — bit for bit, with the
 * same no-data flags — over interior and edge tiles, with an alpha band and a shifted after date.
 */
import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../../electron/engine/inference/buffer-pool.js';
import type { ModelCard } from '../../../electron/engine/inference/model-card.js';
import { tileFeeds, type TileFeeds } from '../../../electron/engine/inference/tile-feeds.js';
import type { DateInput } from '../../../electron/engine/inference/tile-predict.js';
import { RasterSource } from '../../../electron/engine/raster/raster-source.js';
import { dataPath, hasData } from '../../helpers/data.js';

const card = {
  bands: 3,
  tile: { size: 96, overlap: 16, multipleOf: 32 },
  normalization: { scale: 255, mean: [0.39, 0.445, 0.41], std: [0.2, 0.19, 0.21] },
  inputs: { before: 'a', after: 'b' },
} as unknown as ModelCard;

const bytes = (a: Float32Array | Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

function same(a: TileFeeds, b: TileFeeds) {
  expect([a.pw, a.ph]).toEqual([b.pw, b.ph]);
  expect(Buffer.compare(bytes(a.invalid), bytes(b.invalid))).toBe(0);
  for (const name of ['a', 'b']) {
    const x = a.feeds[name].data as Float32Array;
    const y = b.feeds[name].data as Float32Array;
    expect(Buffer.compare(bytes(x), bytes(y))).toBe(0);
  }
}

describe.skipIf(!hasData)('tileFeeds', () => {
  it.each([['RGBA.byte.tif'], ['RGB.byte.tif']])(
    '%s: table path and pool change nothing',
    async (name) => {
      const src = await RasterSource.open(dataPath('geotiff', 'misc', name));
      const { width, height } = src.info;
      const date = (dx: number, nodata: boolean): DateInput => ({
        source: nodata ? { ...pick(src), info: { ...src.info, nodata: 0 } } : src,
        bands: [0, 1, 2],
        stretch: [null, { low: 20, high: 180 }, null],
        linear: [null, null, { gain: 1.1, offset: -4 }],
        dx,
        dy: 0,
      });
      const fast: [DateInput, DateInput] = [date(0, false), date(7, true)];
      const general = fast.map((d) => ({
        ...d,
        source: { info: d.source.info, readWindow: d.source.readWindow.bind(d.source) },
      })) as [DateInput, DateInput];
      const pool = new BufferPool();
      const tiles = [
        { x: 0, y: 0, width: 96, height: 96 },
        { x: width - 60, y: height - 70, width: 80, height: 90 },
        { x: Math.floor(width / 2), y: Math.floor(height / 3), width: 96, height: 96 },
        { x: 0, y: 0, width: 96, height: 96 },
      ];
      for (const tile of tiles) {
        const want = await tileFeeds(card, general, { x: 0, y: 0 }, tile);
        same(await tileFeeds(card, fast, { x: 0, y: 0 }, tile), want);
        const pooled = await tileFeeds(
          card,
          fast,
          { x: 0, y: 0 },
          tile,
          undefined,
          undefined,
          pool,
        );
        same(pooled, want);
        // Back to the pool dirty: the next tile of the same size must overwrite every value.
        for (const a of pooled.pooled ?? []) a.fill(a instanceof Float32Array ? 9 : 1);
        pool.give(pooled.pooled ?? []);
      }
      src.close();
    },
  );
});

/** The source's reads, bound, for a date that pretends to a different no-data value. */
function pick(src: RasterSource) {
  return { readWindow: src.readWindow.bind(src), readMapped: src.readMapped.bind(src) };
}
