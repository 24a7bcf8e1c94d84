/**
 * `landwatch models`: list, add a folder, refuse a second add, remove — through the CLI's `main`
 * with a temporary data home, checking exit codes and the lines users read.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../electron/cli/landwatch.js';
import { bundledModelsDir } from '../../../electron/engine/paths.js';

let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
});
afterEach(() => vi.restoreAllMocks());

describe('landwatch models', () => {
  it('lists, adds, refuses a duplicate and removes a user model', async () => {
    const work = mkdtempSync(join(tmpdir(), 'lw-models-cli-'));
    process.env.LANDWATCH_HOME = join(work, 'home');
    const src = join(work, 'county');
    mkdirSync(src);
    const shipped = join(bundledModelsDir(), 'lw-siamese-v1');
    const card = JSON.parse(readFileSync(join(shipped, 'card.json'), 'utf8')) as { id: string };
    card.id = 'county-model';
    writeFileSync(join(src, 'card.json'), JSON.stringify(card));
    copyFileSync(join(shipped, 'model.onnx'), join(src, 'model.onnx'));

    expect(await main(['models', 'add', src])).toBe(0);
    expect(out).toMatch(/^added county-model 1\.0\.0 -> .*county-model\n$/);
    expect(await main(['models'])).toBe(0);
    expect(out).toMatch(/county-model +1\.0\.0 +user/);
    // Figures come from the card (validation as the app runs); an experimental model says so.
    const v1 = JSON.parse(readFileSync(join(shipped, 'card.json'), 'utf8')) as {
      metrics: { validation: { pixelF1: number; objectRecall: number } };
    };
    const { pixelF1, objectRecall } = v1.metrics.validation;
    expect(out).toMatch(
      new RegExp(
        `lw-siamese-v1 +1\\.0\\.0 +bundled +${pixelF1.toFixed(3)} +${objectRecall.toFixed(3)}`,
      ),
    );
    expect(out).toMatch(/lw-siamese-v2 +2\.0\.0 +bundled, experimental +0\.\d{3}/);
    expect(await main(['models', 'add', src])).toBe(2);
    expect(err).toMatch(/a model "county-model" is already installed/);
    expect(await main(['models', 'remove', 'county-model'])).toBe(0);
    expect(await main(['models', 'remove', 'county-model'])).toBe(2);
    expect(err).toMatch(/no user model "county-model"/);
    expect(await main(['models', 'frobnicate'])).toBe(2);
  });
});
