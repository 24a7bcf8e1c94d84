/**
 * Internal overviews (reduced-resolution images) for the streaming GeoTIFF writer, as COG
 * deliveries carry them: each level halves the one above by a 2 × 2 mean (GDAL's `average`
 * resampling), computed while the rows stream through, so a reader can take a coarse view of the
 * scene — detection's screening pass (pyramid.ts), quick looks — without decoding every
 * full-resolution block. Memory per level is one row of its blocks, a quarter of the level above,
 * so all levels together stay under half of the full-resolution block row the writer holds anyway.
 *
 * A level is fed full-width rows of the level above and hands its own block rows to a callback
 * once they are complete; the writer appends them to the file and lists them in a reduced-image
 * directory (NewSubfileType 1) after the main one.
 */
import { BlockGrid, type LayoutOptions, type SampleArray } from './tiff-layout.js';

/** A finished row of blocks of one level: the block bytes, left to right, and its block row. */
export type LevelBlocks = (
  level: OverviewLevel,
  blockRow: number,
  /** The block row's rows (the top `rows` of the array), to cut into blocks. */
  data: SampleArray,
  rows: number,
) => Promise<void>;

/** One 2× reduction, fed row by row by the level above it. */
export class OverviewLevel {
  readonly grid: BlockGrid;
  /** Offsets and byte counts of this level's blocks in the file, filled as they are written. */
  readonly offsets: number[];
  readonly byteCounts: number[];
  /** The next smaller level, or null for the last one. */
  readonly next: OverviewLevel | null;
  private readonly rows: SampleArray;
  /** The pending upper source row of a pair (full width of the level above). */
  private pending: SampleArray | null = null;
  /** The copy `pending` is kept in, reused for every pair. */
  private pendingBuffer: SampleArray | null = null;
  private rowsBuffered = 0;
  private rowsDone = 0;

  /**
   * @param parent - geometry of the level above (the full image for the first level)
   * @param depth - how many more 2× levels to chain below this one
   */
  constructor(
    parent: LayoutOptions & { width: number; height: number },
    depth: number,
    private readonly nodata: number | undefined,
  ) {
    this.grid = new BlockGrid({
      ...parent,
      width: Math.ceil(parent.width / 2),
      height: Math.ceil(parent.height / 2),
      layout: 'tiled',
    });
    this.offsets = new Array<number>(this.grid.blockCount).fill(-1);
    this.byteCounts = new Array<number>(this.grid.blockCount).fill(0);
    this.rows = this.grid.allocate(this.grid.blockHeight * this.grid.width * this.grid.bands);
    this.next = depth > 1 ? new OverviewLevel(this.grid, depth - 1, nodata) : null;
  }

  /**
   * Takes full-width rows of the level above (pixel-interleaved). `last` says the level above has
   * no more rows, so an odd last row is reduced alone.
   */
  async push(
    data: SampleArray,
    parentWidth: number,
    last: boolean,
    emit: LevelBlocks,
  ): Promise<void> {
    const rowLength = parentWidth * this.grid.bands;
    const n = data.length / rowLength;
    for (let r = 0; r < n; r++) {
      const row = data.subarray(r * rowLength, (r + 1) * rowLength);
      const final = last && r === n - 1;
      if (!this.pending) {
        // Keep a copy: the caller reuses its buffer for the next rows.
        if (this.pendingBuffer?.length !== row.length) this.pendingBuffer = row.slice();
        else this.pendingBuffer.set(row);
        this.pending = this.pendingBuffer;
        if (!final) continue;
        await this.reduce(this.pending, null, parentWidth, final, emit);
      } else {
        await this.reduce(this.pending, row, parentWidth, final, emit);
      }
      this.pending = null;
    }
  }

  /** Whether every block of this level and the levels below it has been written. */
  complete(): boolean {
    return !this.offsets.includes(-1) && (this.next?.complete() ?? true);
  }

  /** Means of 2 × 2 pixels (a pair of rows, or one odd last row) into one row of this level. */
  private async reduce(
    upper: SampleArray,
    lower: SampleArray | null,
    parentWidth: number,
    last: boolean,
    emit: LevelBlocks,
  ): Promise<void> {
    const { width, bands } = this.grid;
    const out = this.rows.subarray(
      this.rowsBuffered * width * bands,
      (this.rowsBuffered + 1) * width * bands,
    );
    const integer = this.grid.sampleFormat !== 'float32';
    const nodata = this.nodata;
    // The common case (two rows, no no-data marker) without the general loop's per-pixel checks.
    const pairs = lower && nodata === undefined && integer ? Math.floor(parentWidth / 2) : 0;
    if (lower && pairs > 0) integerMeans(upper, lower, out, pairs, bands);
    for (let x = pairs; x < width; x++) {
      const x0 = 2 * x;
      const x1 = Math.min(parentWidth - 1, x0 + 1);
      for (let b = 0; b < bands; b++) {
        let sum = 0;
        let count = 0;
        for (const src of lower ? [upper, lower] : [upper]) {
          for (const sx of x1 === x0 ? [x0] : [x0, x1]) {
            const v = src[sx * bands + b];
            if (v === nodata || v !== v) continue;
            sum += v;
            count++;
          }
        }
        const mean = count === 0 ? (nodata ?? 0) : sum / count;
        out[x * bands + b] = integer && count > 0 ? Math.round(mean) : mean;
      }
    }
    this.rowsBuffered++;
    this.rowsDone++;
    const end = last || this.rowsDone === this.grid.height;
    if (this.rowsBuffered === this.grid.blockHeight || end) {
      const blockRow = Math.floor((this.rowsDone - 1) / this.grid.blockHeight);
      const full = this.rows.subarray(0, this.rowsBuffered * width * bands);
      await this.next?.push(full, width, end, emit);
      await emit(this, blockRow, this.rows, this.rowsBuffered);
      this.rowsBuffered = 0;
    }
  }
}

/** The chain of levels for reductions 2, 4, … 2^count, or null for none. */
export function overviewChain(
  options: LayoutOptions & { width: number; height: number; overviews?: number },
): OverviewLevel | null {
  const count = options.overviews ?? 0;
  if (!Number.isInteger(count) || count < 0 || count > 8) {
    throw new RangeError('overviews must be an integer from 0 to 8');
  }
  return count > 0 ? new OverviewLevel(options, count, options.nodata) : null;
}

/**
 * The first `pairs` 2 × 2 means of two rows of whole-number samples, rounded as Math.round rounds
 * them: for a sum s of four non-negative whole numbers, Math.round(s / 4) is (s + 2) >> 2. For
 * one-band byte rows (masks, probabilities; mostly 0 in a screened run) four bytes of both rows
 * are tested at once, and a run of them that is zero gives its zero means in one fill.
 */
function integerMeans(
  upper: SampleArray,
  lower: SampleArray,
  out: SampleArray,
  pairs: number,
  bands: number,
): void {
  let x = 0;
  if (
    bands === 1 &&
    upper instanceof Uint8Array &&
    lower instanceof Uint8Array &&
    upper.byteOffset % 4 === 0 &&
    lower.byteOffset % 4 === 0
  ) {
    // A word is four samples: two means.
    const words = pairs >> 1;
    const up = new Uint32Array(upper.buffer, upper.byteOffset, words);
    const low = new Uint32Array(lower.buffer, lower.byteOffset, words);
    for (let k = 0; k < words; k++) {
      // A run of words that are zero in both rows: their means are zeros, written at once.
      let z = k;
      while (z < words && (up[z] | low[z]) === 0) z++;
      if (z > k) out.fill(0, 2 * k, 2 * z);
      if (z === words) break;
      const i = 4 * z;
      const o = 2 * z;
      out[o] = (upper[i] + upper[i + 1] + lower[i] + lower[i + 1] + 2) >> 2;
      out[o + 1] = (upper[i + 2] + upper[i + 3] + lower[i + 2] + lower[i + 3] + 2) >> 2;
      k = z;
    }
    x = 2 * words;
  }
  for (; x < pairs; x++) {
    const o = 2 * x * bands;
    for (let b = 0; b < bands; b++) {
      const i = o + b;
      out[x * bands + b] = (upper[i] + upper[i + bands] + lower[i] + lower[i + bands] + 2) >> 2;
    }
  }
}
