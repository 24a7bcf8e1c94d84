/**
 * The in-memory form of the tile loop, for small windows (evaluation, tests): the blended change
 * probability of a whole window as one array. Detection streams rows to disk instead
 * (tile-rows.ts), and one tile's prediction lives in tile-predict.ts.
 */
import type { ModelCard } from './model-card.js';
import type { DateInput } from './tile-predict.js';
import { runTileRows } from './tile-rows.js';
import type { RunSession } from './session.js';

export type { DateInput, WindowReader } from './tile-predict.js';

export interface PredictOptions {
  session: RunSession;
  card: ModelCard;
  /** [before, after]. */
  dates: [DateInput, DateInput];
  /** The window to predict, in before-grid pixels. */
  window: { x: number; y: number; width: number; height: number };
  signal?: AbortSignal;
  onTile?: (done: number, total: number, elapsedSeconds: number) => void;
}

/**
 * Blended change probability over the window (row-major, window-sized, 0 where either date has no
 * data). Holds the whole window in memory: for small windows only; detection streams instead.
 */
export async function predictWindow(options: PredictOptions): Promise<Float32Array> {
  const { width, height } = options.window;
  const out = new Float32Array(width * height);
  await runTileRows({ ...options, onRows: (y, rows) => out.set(rows, y * width) });
  return out;
}
