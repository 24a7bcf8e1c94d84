/**
 * `landwatch adapt` through the CLI's `main`, on a crop of a real labelled pair (AirChange Szada
 * train_1, as GeoTIFFs): the labels route writes a model folder that `models add` installs and
 * `detect --model` runs; the project route learns from drawn patches in a scene marked reviewed
 * and records the project's model; bad input gives one line each and writes nothing.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../electron/cli/landwatch.js';
import { createGeoTiffWriter } from '../../../electron/engine/raster/geotiff-write.js';
import { RasterSource } from '../../../electron/engine/raster/raster-source.js';
import { ProjectStore } from '../../../electron/engine/store/project-store.js';
import { adaptedModelId, markReviewed } from '../../../electron/engine/store/project-adaptation.js';
import { pngToTiff, readPng } from '../../../scripts/eval/png-tiff.js';
import { dataPath } from '../../helpers/data.js';

const SCENE = dataPath('cd-pairs', 'airchange-szada', '%s', 'train_1.png');
const hasPair = existsSync(SCENE.replace('%s', 'label'));
const CROP = { x: 0, y: 0, width: 448, height: 384 };

let work = '';
let out = '';
let err = '';
const paths = { before: '', after: '', labels: '', empty: '', offGrid: '' };

beforeAll(async () => {
  if (!hasPair) return;
  work = mkdtempSync(join(tmpdir(), 'lw-adapt-cli-'));
  // The crop with the most change among a few candidates, so both classes are present.
  const label = readPng(SCENE.replace('%s', 'label'));
  let best = -1;
  for (const y of [0, 128, 256]) {
    for (const x of [0, 168, 336, 504]) {
      let n = 0;
      for (let r = y; r < y + CROP.height; r++) {
        for (let c = x; c < x + CROP.width; c++)
          if (label.data[(r * label.width + c) * 4] > 127) n++;
      }
      if (n > best) [best, CROP.x, CROP.y] = [n, x, y];
    }
  }
  for (const [key, dir, isLabel] of [
    ['before', 'A', false],
    ['after', 'B', false],
    ['labels', 'label', true],
  ] as const) {
    paths[key] = join(work, `${key}.tif`);
    await pngToTiff(SCENE.replace('%s', dir), paths[key], 1.5, isLabel, CROP);
  }
  paths.offGrid = join(work, 'off-grid.tif');
  await pngToTiff(SCENE.replace('%s', 'label'), paths.offGrid, 1.5, true, { ...CROP, width: 320 });
  // All "no change", on the before grid.
  paths.empty = join(work, 'empty.tif');
  const w = await createGeoTiffWriter(paths.empty, {
    width: CROP.width,
    height: CROP.height,
    bands: 1,
    sampleFormat: 'uint8',
    geoTransform: [500000, 1.5, 0, 4000000, 0, -1.5],
    geoKeys: { epsg: 32633 },
  });
  await w.writeRows(new Uint8Array(CROP.width * CROP.height));
  await w.close();
}, 60_000);

beforeEach(() => {
  out = '';
  err = '';
  if (work) process.env.LANDWATCH_HOME = join(work, 'home');
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
});
afterEach(() => vi.restoreAllMocks());

describe.skipIf(!hasPair)('landwatch adapt (needs ../shared/data/cd-pairs/airchange-szada)', () => {
  it('adapts from labels; the folder installs and runs like any model', async () => {
    const folder = join(work, 'szada-model');
    const pair = `${paths.before},${paths.after},${paths.labels}`;
    const code = await main([
      'adapt',
      '--base',
      'lw-siamese-v1',
      '--pair',
      pair,
      '--out',
      folder,
      '--id',
      'szada-test',
      '--quiet',
    ]);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(/^adapted szada-test from lw-siamese-v1 1\.0\.0 in [\d.]+ s -> /);
    expect(out).toMatch(
      /held-back pixel F1: base [\d.]+, calibrated [\d.]+ .*chosen: (base|calibrated|adapted)/,
    );
    const card = JSON.parse(readFileSync(join(folder, 'card.json'), 'utf8'));
    expect(card.adaptedFrom.model).toBe('lw-siamese-v1');
    expect(card.outputs.probability).toBe('prob_adapted');
    expect(card.adaptedFrom.samples.pixels.change).toBeGreaterThan(0);
    expect(readdirSync(folder).sort()).toEqual(['card.json', 'head.json', 'model.onnx']);
    expect(await main(['models', 'add', folder])).toBe(0);
    const gpkg = join(work, 'szada.gpkg');
    const detect = ['detect', '--before', paths.before, '--after', paths.after, '--out', gpkg];
    expect(await main([...detect, '--model', 'szada-test', '--quiet'])).toBe(0);
    expect(existsSync(gpkg)).toBe(true);
    // The adapted model never becomes every project's default.
    expect(await main(['models'])).toBe(0);
    expect(out).toMatch(/szada-test/);
  }, 240_000);

  it('refuses labels of one class, naming what is missing, and writes nothing', async () => {
    const folder = join(work, 'one-class');
    const one = await main([
      'adapt',
      '--pair',
      `${paths.before},${paths.after},${paths.empty}`,
      '--out',
      folder,
      '--quiet',
    ]);
    expect(one).toBe(2);
    expect(err).toMatch(/the labels hold only no change: adaptation needs examples of change/);
    expect(existsSync(folder)).toBe(false);
  });

  it('refuses labels that are not on the before grid', async () => {
    const folder = join(work, 'off-grid');
    const code = await main([
      'adapt',
      '--pair',
      `${paths.before},${paths.after},${paths.offGrid}`,
      '--out',
      folder,
      '--quiet',
    ]);
    expect(code).toBe(2);
    expect(err).toMatch(
      /off-grid\.tif: the label raster is not on the before image's grid \(before\.tif\): 320×384 px/,
    );
    expect(existsSync(folder)).toBe(false);
  });

  it('refuses a base model without a features output', async () => {
    const fixture = join(work, 'kind-model');
    mkdirSync(fixture, { recursive: true });
    for (const f of ['card.json', 'model.onnx'])
      copyFileSync(join('test', 'fixtures', 'kind-model', f), join(fixture, f));
    expect(await main(['models', 'add', fixture, '--replace'])).toBe(0);
    const folder = join(work, 'no-features');
    const code = await main([
      'adapt',
      '--base',
      'kind-test',
      '--pair',
      `${paths.before},${paths.after},${paths.labels}`,
      '--out',
      folder,
    ]);
    expect(code).toBe(2);
    expect(err).toMatch(/Model "kind-test" has no features output, so it cannot be adapted/);
    expect(existsSync(folder)).toBe(false);
  });

  it('refuses a malformed --pair and an existing output folder', async () => {
    expect(await main(['adapt', '--pair', 'a.tif,b.tif', '--out', join(work, 'x')])).toBe(2);
    expect(err).toMatch(/--pair "a\.tif,b\.tif": give before\.tif,after\.tif,labels\.tif/);
    err = '';
    expect(
      await main([
        'adapt',
        '--pair',
        `${paths.before},${paths.after},${paths.labels}`,
        '--out',
        work,
      ]),
    ).toBe(2);
    expect(err).toMatch(/the folder exists and is not empty; choose another or pass --overwrite/);
  });

  it('learns from a project: none decided is refused; drawn patches in a reviewed scene work', async () => {
    const project = join(work, 'county.landwatch');
    const [b, a] = [await RasterSource.open(paths.before), await RasterSource.open(paths.after)];
    const store = ProjectStore.create(project, 'County test', b.info, a.info);
    b.close();
    a.close();
    store.close();
    expect(await main(['adapt', '--project', project, '--quiet'])).toBe(2);
    expect(err).toMatch(/County test: no decisions to learn from yet/);
    err = '';
    // Draw the labelled changes' bounding squares (a crude analyst), mark the scene reviewed.
    const label = readPng(SCENE.replace('%s', 'label'));
    const reopened = ProjectStore.open(project);
    const [x0, , , y0] = [500000, 1.5, 0, 4000000];
    let drawn = 0;
    for (let r = 0; r + 32 <= CROP.height && drawn < 6; r += 32) {
      for (let c = 0; c + 32 <= CROP.width && drawn < 6; c += 32) {
        let n = 0;
        for (let y = r; y < r + 32; y++) {
          for (let x = c; x < c + 32; x++) {
            if (label.data[((CROP.y + y) * label.width + CROP.x + x) * 4] > 127) n++;
          }
        }
        if (n < 600) continue;
        const ring = [
          [c, r],
          [c + 32, r],
          [c + 32, r + 32],
          [c, r + 32],
          [c, r],
        ].map(([px, py]) => [x0 + px * 1.5, y0 - py * 1.5]);
        reopened.createPatch([ring], 'confirmed', null, {}, 'tester');
        drawn++;
      }
    }
    expect(drawn).toBeGreaterThan(0);
    markReviewed(reopened.db, null, 'tester');
    reopened.close();
    expect(await main(['adapt', '--project', project, '--quiet'])).toBe(0);
    const id = /^adapted (\S+) /.exec(out)?.[1];
    expect(id).toMatch(/^adapted-county-test-/);
    const check = ProjectStore.open(project);
    expect(adaptedModelId(check.db)).toBe(id);
    check.close();
    expect(existsSync(join(work, 'home', 'models', id!, 'model.onnx'))).toBe(true);
  }, 240_000);
});
