/**
 * A detection loads its model while the dates are sampled (detect-inputs.ts `onModel`): the model
 * it starts loading is the one it runs, and when something fails after the load began (here an
 * empty area of interest, checked after the model is chosen) the loaded model is closed again,
 * not left running in its thread.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type * as SessionThread from '../../../electron/engine/inference/session-thread.js';
import { writeDemoScene } from '../../../resources/demo/write-demo.js';

const calls = vi.hoisted(() => ({ opened: 0, disposed: 0, warmUps: [] as unknown[] }));

vi.mock('../../../electron/engine/inference/session-thread.js', async (importOriginal) => {
  const real = await importOriginal<typeof SessionThread>();
  return {
    ...real,
    openModelRunner: async (...args: Parameters<typeof real.openModelRunner>) => {
      const runner = await real.openModelRunner(...args);
      calls.opened++;
      calls.warmUps.push(args[4]);
      const dispose = runner.dispose.bind(runner);
      runner.dispose = async () => {
        calls.disposed++;
        await dispose();
      };
      return runner;
    },
  };
});

const { detectChanges } = await import('../../../electron/engine/inference/detect.js');
const { windowAxes } = await import('../../../electron/engine/inference/tile-rows.js');
const { roundUp } = await import('../../../electron/engine/inference/tiling.js');

afterEach(() => {
  calls.opened = 0;
  calls.disposed = 0;
  calls.warmUps = [];
});

describe('model loading beside the input preparation', () => {
  it('closes a model whose run failed after it began loading', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-load-'));
    const files = await writeDemoScene(dir);
    await expect(
      detectChanges({
        beforePath: files.before,
        afterPath: files.after,
        device: 'cpu',
        aoi: [10, 10, 5, 20],
        workDir: join(dir, 'work'),
      }),
    ).rejects.toThrow(/empty/);
    expect(calls.opened).toBe(1);
    expect(calls.disposed).toBe(1);
  });

  it('runs on the model it loaded early and closes it once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-load-'));
    const files = await writeDemoScene(dir);
    const run = await detectChanges({
      beforePath: files.before,
      afterPath: files.after,
      device: 'cpu',
      workDir: join(dir, 'work'),
    });
    expect(run.tiles?.run).toBeGreaterThan(0);
    expect(run.polygons.length).toBeGreaterThan(0);
    expect(calls.opened).toBe(1);
    expect(calls.disposed).toBe(1);
  });

  it('warms the model up at the shape of the first tiles it runs, coarse ones when screening', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-load-'));
    const files = await writeDemoScene(dir);
    for (const screening of [false, true]) {
      calls.warmUps = [];
      const run = await detectChanges({
        beforePath: files.before,
        afterPath: files.after,
        device: 'cpu',
        screening,
        workDir: join(dir, `work-${screening}`),
      });
      const card = run.model;
      const { width, height } = run.alignment;
      const [w, h] = screening ? [Math.ceil(width / 4), Math.ceil(height / 4)] : [width, height];
      const axes = windowAxes(card, w, h);
      const m = card.tile.multipleOf;
      const dims = [1, card.bands, roundUp(axes.tileHeight, m), roundUp(axes.tileWidth, m)];
      expect(calls.warmUps).toEqual([
        {
          inputs: [
            { name: card.inputs.before, dims },
            { name: card.inputs.after, dims },
          ],
          fetches: expect.arrayContaining([card.outputs.probability]),
        },
      ]);
      expect(run.screening ? 'screened' : 'full').toBe(screening ? 'screened' : 'full');
    }
  });
});
