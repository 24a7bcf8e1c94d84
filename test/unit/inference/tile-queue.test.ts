/**
 * The tile loop keeps the model fed: when a tile's output comes back, the tile after the one
 * running is handed over before the returned tile is blended and its rows finished (that work took
 * tens of ms in a screened run while the model sat idle), and the model never holds more than two
 * tiles. A fake model records the order of hand-overs and finished rows.
 */
import * as ort from 'onnxruntime-node';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModelFolder, type ModelCard } from '../../../electron/engine/inference/model-card.js';
import type { RunSession } from '../../../electron/engine/inference/session.js';
import { runTileRows } from '../../../electron/engine/inference/tile-rows.js';
import type { DateInput } from '../../../electron/engine/inference/tile-predict.js';
import { REPO } from '../../helpers/data.js';
import { syntheticRaster } from '../../helpers/synthetic.js';

const card: ModelCard = loadModelFolder(join(REPO, 'models/lw-siamese-v1')).card;
const TILE = { ...card.tile, size: 64, overlap: 16, multipleOf: 16 };

/** A model that answers each tile after `ms`, recording events in `log`. */
function fakeModel(log: string[], ms: number): { session: RunSession; most: () => number } {
  let inFlight = 0;
  let most = 0;
  let n = 0;
  let queue = Promise.resolve();
  const session: RunSession = {
    run(feeds) {
      const i = n++;
      log.push(`run ${i}`);
      inFlight++;
      most = Math.max(most, inFlight);
      const dims = (feeds[card.inputs.before] as ort.Tensor).dims;
      const [, , h, w] = dims;
      // One tile at a time, in order, as a session thread runs them.
      const out = queue.then(
        () =>
          new Promise<ort.InferenceSession.ReturnType>((resolve) =>
            setTimeout(() => {
              inFlight--;
              log.push(`out ${i}`);
              const prob = new ort.Tensor('float32', new Float32Array(h * w).fill(0.5), [
                1,
                1,
                h,
                w,
              ]);
              resolve({ [card.outputs.probability]: prob });
            }, ms),
          ),
      );
      queue = out.then(() => undefined);
      return out;
    },
  };
  return { session, most: () => most };
}

function dates(width: number, height: number): [DateInput, DateInput] {
  const date = (name: string): DateInput => ({
    source: syntheticRaster(name, width, height, 3, (x, y, b) => 100 + ((x + 3 * y + b) % 50)),
    bands: [0, 1, 2],
    stretch: [null, null, null],
    dx: 0,
    dy: 0,
  });
  return [date('before'), date('after')];
}

describe('the tile loop and the model', () => {
  it('hands the next tile over before finishing the rows of the one that came back', async () => {
    // One tile a tile row, so every returned tile finishes rows.
    const width = 64;
    const height = 64 + 48 * 5;
    const log: string[] = [];
    const { session, most } = fakeModel(log, 15);
    const counts = await runTileRows({
      session,
      card: { ...card, tile: TILE },
      dates: dates(width, height),
      window: { x: 0, y: 0, width, height },
      onRows: async (y) => {
        log.push(`rows ${y}`);
        // Finishing rows takes time of its own (quantising, posting to the follow thread).
        await new Promise((r) => setTimeout(r, 5));
      },
    });
    expect(counts.run).toBe(6);
    expect(most()).toBeLessThanOrEqual(2);
    // After tile k's output came back, tile k + 2 went to the model before any of tile k's rows
    // were finished (the old loop finished them first, and the model ran dry meanwhile).
    for (let k = 0; k + 2 < counts.run; k++) {
      const back = log.indexOf(`out ${k}`);
      const rowsAfter = log.findIndex((e, i) => i > back && e.startsWith('rows'));
      expect(rowsAfter, `tile ${k}: ${log.join(', ')}`).toBeGreaterThan(
        log.indexOf(`run ${k + 2}`),
      );
    }
    // Every row was delivered, in order.
    const rows = log.filter((e) => e.startsWith('rows')).map((e) => Number(e.split(' ')[1]));
    expect(rows).toEqual([...rows].sort((a, b) => a - b));
    expect(rows[0]).toBe(0);
  });
});
