/**
 * Runs a change model over a window of two aligned dates, tile by tile, and blends the tiles'
 * probabilities with smooth weights so no seam appears where tiles meet.
 */
import * as ort from 'onnxruntime-node';
import { throwIfAborted } from '../errors.js';
import { normaliseInto, type BandLinear, type BandStretch } from '../raster/bands.js';
import type { PixelWindow } from '../raster/raster-source.js';
import type { ModelCard } from './model-card.js';
import { blendWeights, roundUp, sharedEdges, tileGrid, type Tile } from './tiling.js';

/** What the runner needs of a date: windowed reads (NaN outside) and where no-data is. */
export interface WindowReader {
  info: { name: string; nodata: number | null; alphaBand: number | null };
  readWindow(window: PixelWindow, bands: number[], signal?: AbortSignal): Promise<Float32Array[]>;
}

export interface DateInput {
  source: WindowReader;
  /** 0-based bands, in the model's order. */
  bands: number[];
  stretch: (BandStretch | null)[];
  /** Optional per-band linear map applied before the stretch (radiometric matching). */
  linear?: (BandLinear | null)[];
  /** Offset from window pixel coordinates (in the before grid) to this date's pixels. */
  dx: number;
  dy: number;
}

export interface PredictOptions {
  session: ort.InferenceSession;
  card: ModelCard;
  /** [before, after]. */
  dates: [DateInput, DateInput];
  /** The window to predict, in before-grid pixels. */
  window: { x: number; y: number; width: number; height: number };
  signal?: AbortSignal;
  onTile?: (done: number, total: number, elapsedSeconds: number) => void;
}

/** Blended change probability over the window (row-major, window-sized, 0 where either date has no data). */
export async function predictWindow(options: PredictOptions): Promise<Float32Array> {
  const { session, card, dates, window, signal, onTile } = options;
  const { width, height } = window;
  const tiles = tileGrid(width, height, card.tile.size, card.tile.overlap);
  const sum = new Float32Array(width * height);
  const weight = new Float32Array(width * height);
  const invalidAll = new Uint8Array(width * height);
  const start = performance.now();
  for (let i = 0; i < tiles.length; i++) {
    throwIfAborted(signal);
    const tile = tiles[i];
    const { prob, invalid } = await predictTile(session, card, dates, window, tile, signal);
    const w = blendWeights(
      tile.width,
      tile.height,
      card.tile.overlap,
      sharedEdges(tile, width, height),
    );
    for (let r = 0; r < tile.height; r++) {
      const row = (tile.y + r) * width + tile.x;
      for (let c = 0; c < tile.width; c++) {
        const k = r * tile.width + c;
        sum[row + c] += prob[k] * w[k];
        weight[row + c] += w[k];
        if (invalid[k]) invalidAll[row + c] = 1;
      }
    }
    onTile?.(i + 1, tiles.length, (performance.now() - start) / 1000);
  }
  for (let i = 0; i < sum.length; i++) {
    sum[i] = invalidAll[i] || weight[i] === 0 ? 0 : sum[i] / weight[i];
  }
  return sum;
}

async function predictTile(
  session: ort.InferenceSession,
  card: ModelCard,
  dates: [DateInput, DateInput],
  window: { x: number; y: number },
  tile: Tile,
  signal?: AbortSignal,
): Promise<{ prob: Float32Array; invalid: Uint8Array }> {
  const multiple = card.tile.multipleOf;
  const pw = roundUp(tile.width, multiple);
  const ph = roundUp(tile.height, multiple);
  const planes = card.bands;
  const invalid = new Uint8Array(pw * ph);
  const tensors: ort.Tensor[] = [];
  for (const date of dates) {
    // Reading the padded size lets pixels beyond the image come back as NaN → treated as no data.
    const data = await date.source.readWindow(
      { x: window.x + tile.x + date.dx, y: window.y + tile.y + date.dy, width: pw, height: ph },
      date.bands,
      signal,
    );
    const alpha = date.source.info.alphaBand;
    if (alpha !== null) {
      const [a] = await date.source.readWindow(
        { x: window.x + tile.x + date.dx, y: window.y + tile.y + date.dy, width: pw, height: ph },
        [alpha],
        signal,
      );
      for (let i = 0; i < a.length; i++) if (a[i] === 0) invalid[i] = 1;
    }
    const input = new Float32Array(planes * pw * ph);
    normaliseInto(
      input,
      0,
      data,
      date.stretch,
      card.normalization,
      date.source.info.nodata,
      invalid,
    );
    tensors.push(new ort.Tensor('float32', input, [1, planes, ph, pw]));
  }
  const feeds: Record<string, ort.Tensor> = {
    [card.inputs.before]: tensors[0],
    [card.inputs.after]: tensors[1],
  };
  const output = await session.run(feeds);
  const out = output[card.outputs.probability].data as Float32Array;
  // Crop the padding away.
  const prob = new Float32Array(tile.width * tile.height);
  const inv = new Uint8Array(tile.width * tile.height);
  for (let r = 0; r < tile.height; r++) {
    for (let c = 0; c < tile.width; c++) {
      prob[r * tile.width + c] = out[r * pw + c];
      inv[r * tile.width + c] = invalid[r * pw + c];
    }
  }
  for (const t of tensors) t.dispose?.();
  return { prob, invalid: inv };
}
