/**
 * Change kinds end to end, on GeoTIFFs written here and the fixture model of known answers
 * (test/fixtures/kind-model): a detection keeps kind.tif beside probability.tif and names each
 * polygon's kind (a brightened square is new construction, a darkened one demolition); re-extraction
 * at another threshold takes the kinds from kind.tif without the model; an aborted run resumes to
 * the same kind.tif; a model without a kind output (and the shipped v1) writes no kind map; the
 * kinds survive the detection worker into the project store; and the real v2 model's kind output
 * works through a card made for it here.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isAbort } from '../../../electron/engine/errors.js';
import {
  detectChanges,
  type DetectParams,
  type DetectResult,
} from '../../../electron/engine/inference/detect.js';
import { DEFAULT_KINDS } from '../../../electron/engine/inference/model-card.js';
import { reextract } from '../../../electron/engine/inference/reextract.js';
import { runDetectJob } from '../../../electron/engine/jobs/run-detect-job.js';
import { createGeoTiffWriter } from '../../../electron/engine/raster/geotiff-write.js';
import { RasterSource } from '../../../electron/engine/raster/raster-source.js';
import type { ChangePolygon } from '../../../electron/engine/vector/polygonize.js';
import { REPO } from '../../helpers/data.js';
import { newRun, tempProject } from '../store/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'lw-kind-detect-'));
const home = join(dir, 'home');
const W = 322; // not a multiple of 4: the kind map's last cells cover 2 px
const H = 290;
const GT: [number, number, number, number, number, number] = [500_000, 0.5, 0, 3_500_000, 0, -0.5];
/** Pixel boxes [x0, y0, x1, y1) brightened and darkened by 100 in the after date. */
const BRIGHT = [40, 50, 100, 110];
const DARK = [200, 170, 260, 230];

/** A model folder under the test's LANDWATCH_HOME: `onnx` with `card` (edited from the fixture's). */
function install(id: string, onnx: string, edit: (card: Record<string, unknown>) => void): void {
  const folder = join(home, 'models', id);
  mkdirSync(folder, { recursive: true });
  const card = JSON.parse(readFileSync(join(REPO, 'test/fixtures/kind-model/card.json'), 'utf8'));
  card.id = id;
  edit(card);
  writeFileSync(join(folder, 'card.json'), JSON.stringify(card));
  copyFileSync(onnx, join(folder, card.file as string));
}

async function writeDate(path: string, after: boolean): Promise<void> {
  const inside = (box: number[], x: number, y: number) =>
    x >= box[0] && x < box[2] && y >= box[1] && y < box[3];
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      for (let b = 0; b < 3; b++) {
        let v = 120 + 30 * Math.sin(x / 7 + b) * Math.cos(y / 11) + ((x * 7 + y * 13) % 11);
        if (after && inside(BRIGHT, x, y)) v += 100;
        if (after && inside(DARK, x, y)) v -= 100;
        data[(y * W + x) * 3 + b] = Math.round(v);
      }
    }
  }
  const writer = await createGeoTiffWriter(path, {
    width: W,
    height: H,
    bands: 3,
    sampleFormat: 'uint8',
    photometric: 'rgb',
    geoTransform: GT,
    geoKeys: { epsg: 32650 },
  });
  await writer.writeRows(data);
  await writer.close();
}

const params = (workDir: string, modelId = 'kind-test'): DetectParams => ({
  beforePath: join(dir, 'before.tif'),
  afterPath: join(dir, 'after.tif'),
  modelId,
  device: 'cpu',
  minArea: 0,
  stretch: 'none',
  matchRadiometry: false,
  screening: false,
  workDir: join(dir, workDir),
});

/** Every band of a raster, band after band. */
async function pixels(path: string): Promise<Float32Array[]> {
  const src = await RasterSource.open(path);
  const { width, height, bands } = src.info;
  const out = await src.readWindow({ x: 0, y: 0, width, height }, [...Array(bands).keys()]);
  src.close();
  return out;
}

/** The polygon whose bounding box centre lies in the pixel box. */
function over(polygons: ChangePolygon[], box: number[]): ChangePolygon | undefined {
  return polygons.find((p) => {
    const col = ((p.bbox[0] + p.bbox[2]) / 2 - GT[0]) / GT[1];
    const row = ((p.bbox[1] + p.bbox[3]) / 2 - GT[3]) / GT[5];
    return col > box[0] && col < box[2] && row > box[1] && row < box[3];
  });
}

let run: DetectResult;
beforeAll(async () => {
  process.env.LANDWATCH_HOME = home;
  const fixture = join(REPO, 'test/fixtures/kind-model/model.onnx');
  install('kind-test', fixture, () => {});
  install('kind-test-nokind', fixture, (c) => (c.outputs = { probability: 'prob' }));
  await writeDate(join(dir, 'before.tif'), false);
  await writeDate(join(dir, 'after.tif'), true);
  run = await detectChanges(params('full'));
}, 60_000);

describe('change kinds from the model’s kind output', () => {
  it('keeps kind.tif: one band per kind at 1/4 resolution, on the window grid × 4', async () => {
    expect(run.kindPath).toBe(join(dir, 'full', 'kind.tif'));
    const kind = await RasterSource.open(run.kindPath as string);
    const prob = await RasterSource.open(run.probabilityPath as string);
    const { info } = kind;
    expect([info.width, info.height, info.bands, info.bitsPerSample]).toEqual([81, 73, 3, 8]);
    expect(info.geoTransform).toEqual([500_000, 2, 0, 3_500_000, 0, -2]);
    expect(info.crs.id).toBe('EPSG:32650');
    expect(info.geoKeyTags).toEqual(prob.info.geoKeyTags);
    expect(info.metadata.descriptions).toEqual([...DEFAULT_KINDS]);
    expect(kind.blockSize()).toEqual({ width: 256, height: 256 });
    kind.close();
    prob.close();
    // A softmax per cell, stored in 1/255 steps: the three bands add up to 255 ± 2.
    const [a, b, c] = await pixels(run.kindPath as string);
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] + b[i] + c[i] - 255));
    expect(worst).toBeLessThanOrEqual(2);
    // The last column and row of cells (2 px of the window) hold data too.
    expect(a[80]).toBeGreaterThan(0);
    expect(c[72 * 81 + 80]).toBeGreaterThan(0);
  });

  it('names a brightened square new construction and a darkened one demolition', () => {
    expect(run.polygons).toHaveLength(2);
    const bright = over(run.polygons, BRIGHT);
    const dark = over(run.polygons, DARK);
    expect(bright?.changeKind).toBe('new_construction');
    expect(dark?.changeKind).toBe('demolition');
    expect(Object.keys(bright?.kindScores ?? {})).toEqual([...DEFAULT_KINDS]);
    expect(bright?.kindScores?.new_construction).toBeGreaterThan(0.9);
    expect(dark?.kindScores?.demolition).toBeGreaterThan(0.9);
  });

  it('re-extracts at another threshold with the kinds from kind.tif, without the model', async () => {
    const moved = join(dir, 'moved');
    mkdirSync(moved);
    copyFileSync(run.probabilityPath as string, join(moved, 'probability.tif'));
    copyFileSync(run.kindPath as string, join(moved, 'kind.tif'));
    const models = process.env.LANDWATCH_MODELS;
    // No model is installed anywhere while re-extracting.
    process.env.LANDWATCH_MODELS = join(dir, 'no-models');
    process.env.LANDWATCH_HOME = join(dir, 'no-home');
    try {
      const same = await reextract(join(moved, 'probability.tif'), run.threshold, 0);
      expect(same.polygons).toEqual(run.polygons);
      const strict = await reextract(join(moved, 'probability.tif'), 0.9, 0);
      expect(strict.polygons).toHaveLength(2);
      expect(over(strict.polygons, BRIGHT)?.changeKind).toBe('new_construction');
      expect(over(strict.polygons, DARK)?.changeKind).toBe('demolition');
      const pixelCount = (ps: ChangePolygon[]) => ps.reduce((s, p) => s + p.pixelCount, 0);
      expect(pixelCount(strict.polygons)).toBeLessThan(pixelCount(run.polygons));
      const none = await reextract(join(moved, 'probability.tif'), 0.9, 0, { kindPath: null });
      expect(none.polygons.every((p) => p.changeKind === undefined)).toBe(true);
    } finally {
      if (models === undefined) delete process.env.LANDWATCH_MODELS;
      else process.env.LANDWATCH_MODELS = models;
      process.env.LANDWATCH_HOME = home;
    }
  }, 60_000);

  it('resumes an aborted run from its checkpoint to the same kind.tif', async () => {
    const controller = new AbortController();
    const aborted = await detectChanges(params('aborted'), {
      signal: controller.signal,
      // 4 tiles a row: row 0 is checkpointed, row 1 is lost with the abort.
      onProgress: (p) => p.phase === 'infer' && p.done >= 6 && controller.abort(),
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isAbort(aborted)).toBe(true);
    const work = join(dir, 'aborted');
    const record = JSON.parse(readFileSync(join(work, 'run.json'), 'utf8'));
    expect(record).toMatchObject({ nextRow: 1, kinds: 3, kindCarry: 'kind-carry-1.bin' });
    expect(existsSync(join(work, 'kind-carry-1.bin'))).toBe(true);
    expect(existsSync(join(work, 'kind.raw'))).toBe(true);

    const resumed = await detectChanges(params('aborted'));
    expect(resumed.tiles).toEqual({ total: 12, run: 8, skipped: 0, resumed: 4 });
    expect(await pixels(resumed.kindPath as string)).toEqual(await pixels(run.kindPath as string));
    expect(await pixels(resumed.probabilityPath as string)).toEqual(
      await pixels(run.probabilityPath as string),
    );
    expect(resumed.polygons).toEqual(run.polygons);
    expect(existsSync(join(work, 'kind-carry-1.bin'))).toBe(false);
    expect(existsSync(join(work, 'kind.raw'))).toBe(false);
  }, 60_000);

  it('gives the same polygons, kinds and files with probability.tif and vectorising in their own thread', async () => {
    const threaded = await detectChanges({ ...params('threaded'), followThread: true });
    expect(threaded.polygons).toEqual(run.polygons);
    expect(threaded.polygons.some((p) => p.changeKind)).toBe(true);
    expect(Array.from(threaded.probability)).toEqual(Array.from(run.probability));
    expect(Array.from(threaded.mask)).toEqual(Array.from(run.mask));
    for (const file of ['probability.tif', 'mask.tif', 'kind.tif']) {
      expect(readFileSync(join(dir, 'threaded', file))).toEqual(
        readFileSync(join(dir, 'full', file)),
      );
    }
    // The thread's writing and vectorising are counted in the run's phases.
    expect(threaded.phases?.write).toBeGreaterThan(0);
    expect(threaded.phases?.vectorise).toBeGreaterThan(0);
  }, 60_000);

  it('cancels a threaded run, leaving its checkpoint and no partial probability.tif', async () => {
    const controller = new AbortController();
    const aborted = await detectChanges(
      { ...params('threaded-abort'), followThread: true },
      {
        signal: controller.signal,
        onProgress: (p) => p.phase === 'infer' && p.done >= 6 && controller.abort(),
      },
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isAbort(aborted)).toBe(true);
    const work = join(dir, 'threaded-abort');
    expect(existsSync(join(work, 'probability.tif'))).toBe(false);
    expect(existsSync(join(work, 'mask.tif'))).toBe(false);
    const resumed = await detectChanges({ ...params('threaded-abort'), followThread: true });
    expect(resumed.tiles).toMatchObject({ resumed: 4 });
    expect(resumed.polygons).toEqual(run.polygons);
  }, 60_000);

  it('writes no kind map for a model without a kind output, and the same probability', async () => {
    const plain = await detectChanges(params('nokind', 'kind-test-nokind'));
    expect(plain.kindPath).toBeUndefined();
    expect(existsSync(join(dir, 'nokind', 'kind.tif'))).toBe(false);
    expect(plain.polygons).toHaveLength(2);
    expect(plain.polygons.every((p) => p.changeKind == null && p.kindScores === undefined)).toBe(
      true,
    );
    const record = JSON.parse(readFileSync(join(dir, 'nokind', 'run.json'), 'utf8'));
    expect(Object.keys(record).sort()).toEqual([
      'carry',
      'complete',
      'height',
      'key',
      'nextRow',
      'plan',
      'screening',
      'tilesRun',
      'version',
      'width',
    ]);
    expect(await pixels(plain.probabilityPath as string)).toEqual(
      await pixels(run.probabilityPath as string),
    );
  }, 60_000);

  it('writes no kind map with the shipped v1 model', async () => {
    const v1 = await detectChanges(params('v1', 'lw-siamese-v1'));
    expect(v1.model.id).toBe('lw-siamese-v1');
    expect(v1.kindPath).toBeUndefined();
    expect(existsSync(join(dir, 'v1', 'kind.tif'))).toBe(false);
    expect(v1.polygons.every((p) => p.changeKind == null)).toBe(true);
  }, 60_000);

  it('passes the kinds through the detection worker into the project store', async () => {
    const summary = await runDetectJob(params('worker'));
    expect(summary.polygons.map((p) => p.changeKind).sort()).toEqual([
      'demolition',
      'new_construction',
    ]);
    const { store } = tempProject();
    try {
      store.addRun(newRun(), summary.polygons);
      const kinds = store.patches().map((p) => p.attributes?.changeKind);
      expect(kinds.sort()).toEqual(['demolition', 'new_construction']);
    } finally {
      store.close();
    }
  }, 120_000);

  it('runs the v2 model’s kind output through a card made for it', async () => {
    install('lw-siamese-v2', join(REPO, 'models/lw-siamese-v2/model.onnx'), (c) => {
      const v1 = JSON.parse(readFileSync(join(REPO, 'models/lw-siamese-v1/card.json'), 'utf8'));
      Object.assign(c, v1, { id: 'lw-siamese-v2', outputs: { probability: 'prob', kind: 'kind' } });
    });
    const v2 = await detectChanges({ ...params('v2', 'lw-siamese-v2'), stretch: 'auto' });
    const [a, b, c] = await pixels(v2.kindPath as string);
    expect(a.length).toBe(81 * 73);
    for (let i = 0; i < a.length; i++)
      expect(Math.abs(a[i] + b[i] + c[i] - 255)).toBeLessThanOrEqual(2);
    for (const p of v2.polygons) expect(DEFAULT_KINDS).toContain(p.changeKind);
  }, 60_000);
});
