/**
 * One model tile over two aligned dates: reads both dates' windows (alpha in the same read),
 * normalises them as the model card says, runs the session and crops the padding away.
 */
import * as ort from 'onnxruntime-node';
import { normaliseInto, type BandLinear, type BandStretch } from '../raster/bands.js';
import type { PixelWindow } from '../raster/raster-source.js';
import type { ModelCard } from './model-card.js';
import { roundUp, type Tile } from './tiling.js';

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

/** One tile's probability and no-data flags, tile-sized and row-major. */
export async function predictTile(
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
    // The alpha band, if any, comes in the same read so each source block is decoded once.
    const alpha = date.source.info.alphaBand;
    const data = await date.source.readWindow(
      { x: window.x + tile.x + date.dx, y: window.y + tile.y + date.dy, width: pw, height: ph },
      alpha === null ? date.bands : [...date.bands, alpha],
      signal,
    );
    if (alpha !== null) {
      const a = data.pop() as Float32Array;
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
      date.linear,
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
  for (const t of Object.values(output)) t.dispose?.();
  return { prob, invalid: inv };
}
