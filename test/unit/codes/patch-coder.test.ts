/**
 * The coder on the demo scene with the shipped model: cancelling between batches stops with
 * E_CANCELLED and keeps the batches already stored, and the next call codes only the rest; chips
 * are cut by the card's rule (a square around the bounds, with margin and a minimum side).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureDemoProject } from '../../../electron/engine/api/demo-project.js';
import { findCodeModel } from '../../../electron/engine/codes/code-model.js';
import { PatchCodeTable } from '../../../electron/engine/codes/code-table.js';
import { chipExtent } from '../../../electron/engine/codes/patch-chips.js';
import { codeStalePatches } from '../../../electron/engine/codes/patch-coder.js';
import { ProjectStore } from '../../../electron/engine/store/project-store.js';
import { DEMO_ORIGIN } from '../../../resources/demo/demo-scene.js';
import { newRun } from '../store/fixtures.js';
import { boxDetection } from './fixtures.js';

const chip = { size: 64, margin: 0.25, minSidePixels: 16, noData: 221 };

describe('chipExtent', () => {
  it('is a square around the bounds with a margin on every side', () => {
    expect(chipExtent([0, 0, 20, 10], 0.5, chip)).toEqual([-5, -10, 25, 20]);
  });
  it('is at least minSidePixels source pixels wide', () => {
    expect(chipExtent([10, 10, 11, 11], 0.5, chip)).toEqual([6.5, 6.5, 14.5, 14.5]);
  });
});

describe('codeStalePatches', () => {
  it('stops between batches when cancelled, keeps what it stored, and resumes', async () => {
    process.env.LANDWATCH_HOME = mkdtempSync(join(tmpdir(), 'lw-coder-'));
    const store = ProjectStore.open(await ensureDemoProject(undefined, 'synthetic'));
    const [ox, oy] = DEMO_ORIGIN;
    store.addRun(
      newRun(),
      Array.from({ length: 7 }, (_, i) =>
        boxDetection(ox + 20 + i * 60, oy - 200, ox + 40 + i * 60, oy - 180),
      ),
    );
    const model = findCodeModel();
    const controller = new AbortController();
    await expect(
      codeStalePatches(store, model, {
        batch: 3,
        signal: controller.signal,
        onProgress: (done) => done >= 3 && controller.abort(),
      }),
    ).rejects.toThrow(/Cancelled/);
    const table = new PatchCodeTable(store.db);
    expect(table.stale(model.card.id)).toHaveLength(4);
    const rest = await codeStalePatches(store, model, { batch: 3 });
    expect(rest.coded).toBe(4);
    expect(table.stale(model.card.id)).toEqual([]);
    store.close();
  }, 60_000);
});
