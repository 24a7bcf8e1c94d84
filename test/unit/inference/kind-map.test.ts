/**
 * The change-kind map (kind-map.ts) with a model whose answers are known (test/fixtures/kind-model:
 * kind = softmax of the smoothed brightness change, receptive field 5 × 5 px): the card's kinds,
 * the 1/4 grid, 4 × 4 block means, tiles blended on the 1/4 grid equal one whole-window pass, the
 * probability is the same with or without kinds, and screening never asks the model for kinds.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  checkKindDims,
  KindBlend,
  kindBlocks,
  kindGrid,
  kindTransform,
} from '../../../electron/engine/inference/kind-map.js';
import {
  cardKinds,
  DEFAULT_KINDS,
  loadModelFolder,
  type ModelCard,
} from '../../../electron/engine/inference/model-card.js';
import { screenTiles } from '../../../electron/engine/inference/screening.js';
import {
  createModelSession,
  type ModelSession,
} from '../../../electron/engine/inference/session.js';
import { runTileRows } from '../../../electron/engine/inference/tile-rows.js';
import type { DateInput } from '../../../electron/engine/inference/tile-predict.js';
import { tileAxes } from '../../../electron/engine/inference/tiling.js';
import type { MemoryRaster } from '../../../electron/engine/raster/memory-raster.js';
import { REPO } from '../../helpers/data.js';
import { syntheticRaster } from '../../helpers/synthetic.js';

const FIXTURE = join(REPO, 'test/fixtures/kind-model');
const tmp = mkdtempSync(join(tmpdir(), 'lw-kind-map-'));

/** A model folder holding the fixture's ONNX and its card changed by `edit`. */
function cardFolder(name: string, edit: (card: Record<string, unknown>) => void): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  const card = JSON.parse(readFileSync(join(FIXTURE, 'card.json'), 'utf8'));
  edit(card);
  writeFileSync(join(dir, 'card.json'), JSON.stringify(card));
  copyFileSync(join(FIXTURE, 'model.onnx'), join(dir, 'model.onnx'));
  return dir;
}

describe('kind output on the model card', () => {
  it('defaults the kinds, takes the card’s own, and rejects too few, too many or repeated', () => {
    expect(cardKinds(loadModelFolder(FIXTURE).card)).toEqual([...DEFAULT_KINDS]);
    expect(DEFAULT_KINDS).toEqual(['new_construction', 'demolition', 'other_change']);
    const own = cardFolder('own', (c) => (c.kinds = ['built', 'razed', 'other']));
    expect(cardKinds(loadModelFolder(own).card)).toEqual(['built', 'razed', 'other']);
    const bad = (kinds: string[]) => () =>
      loadModelFolder(cardFolder(`bad-${kinds.length}`, (c) => (c.kinds = kinds)));
    expect(bad(['only'])).toThrow(/invalid model card at "kinds"/);
    expect(bad(Array.from({ length: 9 }, (_, i) => `k${i}`))).toThrow(/at "kinds"/);
    expect(bad(['a', 'b', 'a'])).toThrow(/kinds must be unique/);
    expect(bad(['new building', 'b'])).toThrow(/at "kinds.0"/);
  });

  it('gives cards without a kind output no kinds, as before (the shipped v1 model)', () => {
    const v1 = loadModelFolder(join(REPO, 'models/lw-siamese-v1')).card;
    expect(v1.outputs.kind).toBeUndefined();
    expect(cardKinds(v1)).toBeNull();
    const none = cardFolder('none', (c) => (c.outputs = { probability: 'prob' }));
    expect(cardKinds(loadModelFolder(none).card)).toBeNull();
  });
});

describe('a kind output of the wrong shape', () => {
  it('is refused with a message naming the model and the shape the card needs', () => {
    expect(() => checkKindDims('m-1', [1, 3, 64, 32], 3, 32, 64)).not.toThrow();
    expect(() => checkKindDims('m-1', [1, 2, 64, 32], 3, 32, 64)).toThrow(
      'model m-1: its kind output is [1, 2, 64, 32]; the card needs [1, 3, 64, 32]',
    );
  });
});

describe('the 1/4 grid', () => {
  it('starts tiles at floor(x / 4) and ends the last tile on the last cell', () => {
    // 322 px with 128-px tiles overlapping 32: tiles start at 0, 96, 192 and 194.
    const axes = tileAxes(322, 290, 128, 32);
    expect(axes.xs).toEqual([0, 96, 192, 194]);
    const grid = kindGrid(axes, 322, 290, 32, () => true);
    expect([grid.width, grid.height, grid.overlap]).toEqual([81, 73, 8]);
    expect([grid.axes.tileWidth, grid.axes.tileHeight]).toEqual([32, 32]);
    // floor(194 / 4) + 32 = 80 would leave cell 80 (pixels 320–321) without a tile.
    expect(grid.axes.xs).toEqual([0, 24, 48, 49]);
    expect(grid.axes.ys[grid.axes.ys.length - 1] + 32).toBe(73);
    const one = kindGrid(tileAxes(50, 30, 128, 32), 50, 30, 32, () => true);
    expect([one.width, one.height, one.axes.xs, one.axes.tileWidth]).toEqual([13, 8, [0], 13]);
    expect(kindTransform([100, 0.5, 0, 200, 0, -0.5])).toEqual([100, 2, 0, 200, 0, -2]);
  });

  it('averages 4 × 4 blocks over the pixels with data; a block without any is invalid', () => {
    // A 6 × 5 tile in a 16 × 8 padded output of 2 kinds: value = kind × 100 + row × 10 + col.
    const pw = 16;
    const ph = 8;
    const out = Float32Array.from({ length: 2 * pw * ph }, (_, i) => {
      const k = Math.floor(i / (pw * ph));
      const r = Math.floor((i % (pw * ph)) / pw);
      return k * 100 + r * 10 + (i % pw);
    });
    const invalid = new Uint8Array(30);
    invalid[0] = 1; // (0, 0)
    for (const i of [28, 29]) invalid[i] = 1; // row 4, cols 4–5: all of block (1, 1)
    const t = kindBlocks(out, 2, pw, ph, { x: 0, y: 0, width: 6, height: 5 }, invalid);
    expect(Array.from(t.invalid)).toEqual([0, 0, 0, 1]);
    // Block (0, 0): rows 0–3 × cols 0–3 but (0, 0): Σ (10 r + c) = 240 + 24 over 15 pixels.
    expect(t.planes[0][0]).toBeCloseTo(264 / 15, 4);
    expect(t.planes[1][0]).toBeCloseTo(100 + 264 / 15, 4);
    // Block (0, 1): rows 0–3 × cols 4–5 (the tile is 6 wide).
    expect(t.planes[0][1]).toBeCloseTo(15 + 4.5, 4);
    // Block (1, 0): row 4 × cols 0–3.
    expect(t.planes[0][2]).toBeCloseTo(40 + 1.5, 4);
  });
});

const W = 448;
const H = 384;
const card = loadModelFolder(FIXTURE).card;

/** Textured dates whose brightness differs smoothly everywhere, plus a brightened and a darkened square. */
function pair(): [MemoryRaster, MemoryRaster] {
  const texture = (x: number, y: number, b: number) =>
    120 + 40 * Math.sin(x / 9 + b) * Math.cos(y / 13) + ((x * 7 + y * 13) % 11);
  const inside = (x: number, y: number, x0: number, y0: number) =>
    x >= x0 && x < x0 + 60 && y >= y0 && y < y0 + 60;
  const after = (x: number, y: number, b: number) =>
    texture(x, y, b) +
    45 * Math.sin(x / 23) * Math.cos(y / 19) +
    (inside(x, y, 80, 70) ? 100 : 0) -
    (inside(x, y, 300, 230) ? 100 : 0);
  return [syntheticRaster('before', W, H, 3, texture), syntheticRaster('after', W, H, 3, after)];
}

describe('kinds blended on the 1/4 grid', () => {
  let model: ModelSession;
  let dates: [DateInput, DateInput];
  beforeAll(async () => {
    model = await createModelSession(join(FIXTURE, 'model.onnx'), 'cpu');
    const [before, after] = pair();
    const date = (source: MemoryRaster): DateInput => ({
      source,
      bands: [0, 1, 2],
      stretch: [null, null, null],
      dx: 0,
      dy: 0,
    });
    dates = [date(before), date(after)];
  });
  afterAll(() => model?.dispose());

  async function run(size: number, overlap: number, withKinds: boolean) {
    const cw = Math.ceil(W / 4);
    const kinds = [0, 1, 2].map(() => new Float32Array(cw * Math.ceil(H / 4)));
    const prob = new Float32Array(W * H);
    await runTileRows({
      session: model.session,
      card: { ...card, tile: { size, overlap, multipleOf: 16 } } as ModelCard,
      dates,
      window: { x: 0, y: 0, width: W, height: H },
      onRows: (y, rows) => prob.set(rows, y * W),
      onKindRows: withKinds
        ? (y, planes) => planes.forEach((p, k) => kinds[k].set(p, y * cw))
        : undefined,
    });
    return { prob, kinds };
  }

  it('matches one whole-window pass to 0.01, and classifies the squares', async () => {
    const axes = tileAxes(W, H, card.tile.size, card.tile.overlap);
    expect(axes.xs.length * axes.ys.length).toBeGreaterThanOrEqual(16);
    // Every tile starts on a multiple of 4, so tiles' 4 × 4 blocks are the whole pass's blocks.
    expect([...axes.xs, ...axes.ys].every((s) => s % 4 === 0)).toBe(true);
    const whole = await run(Math.max(W, H), 0, true);
    const tiled = await run(card.tile.size, card.tile.overlap, true);
    // A tile's output differs from the whole pass only within 2 px (the model's reach) of its
    // inner edges, i.e. in its outermost cell, where its blending weight is the first step of the
    // Hann ramp over 32 / 4 = 8 cells, 0.5 − 0.5 cos(π / 16) = 0.0096, against ≥ 0.99 of the
    // neighbour covering that cell: at most 0.0096 × |Δp| ≤ 0.01.
    let worst = 0;
    for (let k = 0; k < 3; k++) {
      for (let i = 0; i < whole.kinds[k].length; i++) {
        worst = Math.max(worst, Math.abs(whole.kinds[k][i] - tiled.kinds[k][i]));
      }
    }
    expect(worst).toBeLessThan(0.01);
    expect(worst).toBeGreaterThan(0); // the comparison sees the tiles' edges at all
    const cell = (cx: number, cy: number) => tiled.kinds.map((p) => p[cy * Math.ceil(W / 4) + cx]);
    expect(cell(27, 25)[0]).toBeGreaterThan(0.9); // brightened: new construction
    expect(cell(82, 65)[1]).toBeGreaterThan(0.9); // darkened: demolition
    for (let i = 0; i < tiled.kinds[0].length; i++) {
      expect(tiled.kinds[0][i] + tiled.kinds[1][i] + tiled.kinds[2][i]).toBeCloseTo(1, 4);
    }
  }, 60_000);

  it('leaves the probability as it is without kinds', async () => {
    const withKinds = await run(card.tile.size, card.tile.overlap, true);
    const without = await run(card.tile.size, card.tile.overlap, false);
    expect(without.prob).toEqual(withKinds.prob);
    expect(without.kinds[0].every((v) => v === 0)).toBe(true);
  }, 60_000);

  it('says once that the model is done, after its last run and before the last rows', async () => {
    let runs = 0;
    const session = {
      run: (feeds: ort.InferenceSession.FeedsType, fetches: string[]) => {
        runs++;
        return model.session.run(feeds, fetches);
      },
    } as unknown as ort.InferenceSession;
    let rowsOut = 0;
    const done: { runs: number; rows: number }[] = [];
    const counts = await runTileRows({
      session,
      card,
      dates,
      window: { x: 0, y: 0, width: W, height: H },
      onRows: (_y, rows) => void (rowsOut += rows.length / W),
      onModelDone: () => void done.push({ runs, rows: rowsOut }),
    });
    expect(done).toEqual([{ runs: counts.run, rows: done[0].rows }]);
    expect(runs).toBe(counts.run);
    // The last tile row's rows were still to come.
    expect(done[0].rows).toBeLessThan(H);
    expect(rowsOut).toBe(H);
  }, 60_000);

  it('screening fetches only the probability and makes no kind blend', async () => {
    const fetched: string[][] = [];
    const session = {
      run: (feeds: ort.InferenceSession.FeedsType, fetches: string[]) => {
        fetched.push([...fetches]);
        return model.session.run(feeds, fetches);
      },
    } as unknown as ort.InferenceSession;
    const forCard = vi.spyOn(KindBlend, 'forCard');
    try {
      const screened = await screenTiles({
        session,
        card,
        dates,
        window: { x: 0, y: 0, width: W, height: H },
        axes: tileAxes(W, H, card.tile.size, card.tile.overlap),
        scratchDir: tmp,
      });
      expect(screened.plan.some((v) => v === 1)).toBe(true);
      expect(fetched.length).toBeGreaterThan(0);
      expect(fetched.every((f) => f.length === 1 && f[0] === 'prob')).toBe(true);
      expect(forCard).not.toHaveBeenCalled();
    } finally {
      forCard.mockRestore();
    }
  }, 60_000);
});
