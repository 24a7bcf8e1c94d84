/**
 * Streaming GeoTIFF writer for LandWatch's raster outputs (change masks, probability maps, quick
 * looks). Pixels arrive in row order (or tile by tile), each tile is compressed and appended as soon
 * as it is complete, and the directory goes at the end of the file, so a 20k x 20k mask never has to
 * be in memory: only one row of tiles is buffered. The file is written under a temporary name and
 * renamed on close, so a failed or cancelled export never leaves a truncated .tif behind.
 */
import { existsSync, writeSync, writevSync } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
import { promisify } from 'node:util';
import { deflate, deflateSync } from 'node:zlib';
import { LandWatchError } from '../errors.js';
import { anyNonZero } from './byte-scan.js';
import { bandDescriptionTags } from './gdal-metadata.js';
import { georeferencingTags, type GeoKeySource, type GeoTransform } from './tiff-geokeys.js';
import { overviewChain, type OverviewLevel } from './overview-levels.js';
import {
  MAX_CLASSIC_TIFF_OFFSET,
  Tag,
  encodeIfdChain,
  encodeTiffHeader,
  type TiffTag,
} from './tiff-ifd.js';
import { BlockGrid, imageTags, type SampleArray, type SampleFormat } from './tiff-layout.js';

export type { GeoKeySource, GeoTransform, RawGeoKeys } from './tiff-geokeys.js';
export type { SampleArray, SampleFormat } from './tiff-layout.js';

const deflateAsync = promisify(deflate);
/** Blocks compressed at once. */
const DEFLATE_PARALLEL = 4;

/** Options of {@link createGeoTiffWriter}. */
export interface GeoTiffWriteOptions {
  width: number;
  height: number;
  bands: number;
  sampleFormat: SampleFormat;
  /** `rgb` needs at least 3 bands; bands beyond the colour ones are written as extra samples. */
  photometric?: 'minisblack' | 'rgb';
  /** GDAL-order affine transform of the top-left pixel corner. */
  geoTransform: GeoTransform;
  /** The CRS, by EPSG code or copied verbatim from the source image. */
  geoKeys: GeoKeySource;
  /** Default `deflate` (zlib, TIFF compression 8). */
  compression?: 'none' | 'deflate';
  /** Written as the GDAL_NODATA tag; must be representable in the sample format. */
  nodata?: number;
  /** Band descriptions, one per band, written as GDAL writes them (GDAL_METADATA). */
  bandDescriptions?: string[];
  /** Default `tiled`; `strip` writes full-width strips for readers that dislike tiles. */
  layout?: 'tiled' | 'strip';
  /** Tile edge in pixels (multiple of 16). Default 256. */
  tileSize?: number;
  /** Rows per strip in `strip` layout. Default 16. */
  rowsPerStrip?: number;
  /** Replace an existing file at `path`. Default false: an existing file is an error. */
  overwrite?: boolean;
  /**
   * Internal overviews to add, as COG deliveries carry them: this many levels at 1/2, 1/4, …
   * (2 × 2 means, tiled like the image; overview-levels.ts). Needs {@link GeoTiffWriter.writeRows}.
   * Default 0.
   */
  overviews?: number;
  /**
   * Compress and write each block on the calling thread, blocking it, instead of through the libuv
   * pool: for a thread whose only work is writing (follow-thread.ts), where a round trip through
   * the pool for every block's compression and every block's write is latency and no thread is
   * kept waiting. Default false: the event loop goes on while blocks are compressed and written.
   */
  blocking?: boolean;
}

/**
 * A GeoTIFF being written. Call its methods one at a time (await each) and finish with close().
 * Any error (bad input included) deletes the partial file and leaves the writer unusable.
 */
export interface GeoTiffWriter {
  readonly path: string;
  /** Size of the blocks the file is cut into (tile size, or width x rowsPerStrip). */
  readonly blockWidth: number;
  readonly blockHeight: number;
  /** Rows received so far through {@link GeoTiffWriter.writeRows}. */
  readonly rowsWritten: number;
  /**
   * Appends whole rows, pixel-interleaved (band values of one pixel next to each other), top to
   * bottom. Any number of rows per call; tiles are flushed whenever a row of tiles is complete.
   */
  writeRows(data: SampleArray): Promise<void>;
  /**
   * Writes one tile (tiled layout), in any order, pixel-interleaved. Edge tiles may be given either
   * padded to the full tile size or cropped to the part inside the image.
   */
  writeTile(tileX: number, tileY: number, data: SampleArray): Promise<void>;
  /** Writes the directory and moves the file into place. Fails if any block is missing. */
  close(): Promise<void>;
  /** Stops writing and deletes the partial file. */
  abort(): Promise<void>;
}

/** Creates the file and returns a writer for it. */
export async function createGeoTiffWriter(
  path: string,
  options: GeoTiffWriteOptions,
): Promise<GeoTiffWriter> {
  if (endianness() !== 'LE') {
    throw new LandWatchError('E_INTERNAL', 'The GeoTIFF writer needs a little-endian CPU.');
  }
  const grid = new BlockGrid(options);
  const compression = options.compression ?? 'deflate';
  if (compression === 'none' && grid.uncompressedBytes() > MAX_CLASSIC_TIFF_OFFSET - 1_000_000) {
    throw tooLarge(path);
  }
  // Build the tags now so bad georeferencing fails before any pixel work is done.
  const geoTags = [
    ...georeferencingTags(options.geoTransform, options.geoKeys),
    ...bandDescriptionTags(options.bandDescriptions ?? []),
  ];
  if (existsSync(path) && !options.overwrite) {
    throw new LandWatchError(
      'E_OUTPUT',
      `${path} already exists; choose another name or allow overwriting.`,
    );
  }
  const partPath = `${path}.part`;
  const file = await open(partPath, 'w');
  await file.write(encodeTiffHeader(0), 0, 8, 0);
  const overviews = overviewChain({ ...options, layout: 'tiled', tileSize: grid.blockWidth });
  if (overviews && grid.layout !== 'tiled') {
    throw new LandWatchError('E_INTERNAL', 'GeoTIFF writer: overviews need the tiled layout.');
  }
  return new StreamingWriter(
    path,
    partPath,
    file,
    grid,
    compression,
    geoTags,
    options.nodata,
    overviews,
    options.blocking ?? false,
  );
}

/** All of `bytes` at `position` (writeSync may write less than asked, as write(2) may). */
function writeAll(fd: number, bytes: Uint8Array, position: number): void {
  for (let done = 0; done < bytes.length;) {
    done += writeSync(fd, bytes, done, bytes.length - done, position + done);
  }
}

/** All of `parts`, one after another from `position`: one writev(2), the rest of a short one after. */
function writeAllOf(fd: number, parts: Uint8Array[], position: number): void {
  const done = writevSync(fd, parts, position);
  let offset = 0;
  for (const part of parts) {
    const end = offset + part.length;
    if (done < end) {
      const written = Math.max(0, done - offset);
      writeAll(fd, part.subarray(written), position + offset + written);
    }
    offset = end;
  }
}

function tooLarge(path: string): LandWatchError {
  return new LandWatchError(
    'E_OUTPUT',
    `${path} would be larger than 4 GB, which needs BigTIFF (not supported). Use deflate compression or export a smaller area.`,
  );
}

class StreamingWriter implements GeoTiffWriter {
  private position = 8;
  readonly offsets: number[];
  readonly byteCounts: number[];
  /** Rows of a block row that came in pieces (made when first needed). */
  private rowBuffer: SampleArray | null = null;
  private rowsBuffered = 0;
  private rowsDone = 0;
  private mode: 'rows' | 'tiles' | null = null;
  /** Deflated empty blocks by length in bytes (compress). */
  private readonly emptyBlocks = new Map<number, Uint8Array>();
  private state: 'open' | 'busy' | 'closed' | 'failed' = 'open';

  constructor(
    readonly path: string,
    private readonly partPath: string,
    private readonly file: FileHandle,
    private readonly grid: BlockGrid,
    private readonly compression: 'none' | 'deflate',
    private readonly geoTags: TiffTag[],
    private readonly nodata: number | undefined,
    private readonly overviews: OverviewLevel | null = null,
    private readonly blocking = false,
  ) {
    this.offsets = new Array<number>(grid.blockCount).fill(-1);
    this.byteCounts = new Array<number>(grid.blockCount).fill(0);
  }

  get blockWidth(): number {
    return this.grid.blockWidth;
  }
  get blockHeight(): number {
    return this.grid.blockHeight;
  }
  get rowsWritten(): number {
    return this.rowsDone;
  }

  writeRows(data: SampleArray): Promise<void> {
    return this.run('rows', async () => {
      const { width, height, bands, blockHeight } = this.grid;
      this.grid.checkArray(data);
      const rowLength = width * bands;
      if (data.length % rowLength !== 0) {
        throw new LandWatchError(
          'E_INTERNAL',
          `writeRows needs whole rows of ${rowLength} samples.`,
        );
      }
      const rows = data.length / rowLength;
      if (this.rowsDone + rows > height) {
        throw new LandWatchError('E_INTERNAL', `writeRows: more than the ${height} rows declared.`);
      }
      let consumed = 0;
      while (consumed < rows) {
        const left = rows - consumed;
        if (this.rowsBuffered === 0 && (left >= blockHeight || this.rowsDone + left === height)) {
          // A whole block row (or the image's last rows): cut straight from the caller's array.
          const take = Math.min(left, blockHeight);
          this.rowsDone += take;
          const part = data.subarray(consumed * rowLength, (consumed + take) * rowLength);
          const blockRow = Math.floor((this.rowsDone - 1) / blockHeight);
          await this.writeBlockRow(this.grid, part, take, blockRow, this);
          consumed += take;
          continue;
        }
        const take = Math.min(left, blockHeight - this.rowsBuffered);
        this.rowBuffer ??= this.grid.allocate(blockHeight * rowLength);
        this.rowBuffer.set(
          data.subarray(consumed * rowLength, (consumed + take) * rowLength),
          this.rowsBuffered * rowLength,
        );
        this.rowsBuffered += take;
        this.rowsDone += take;
        consumed += take;
        if (this.rowsBuffered === blockHeight || this.rowsDone === height) {
          const blockRow = Math.floor((this.rowsDone - 1) / blockHeight);
          await this.writeBlockRow(this.grid, this.rowBuffer, this.rowsBuffered, blockRow, this);
          this.rowsBuffered = 0;
        }
      }
      await this.overviews?.push(data, width, this.rowsDone === height, (level, row, rows, n) =>
        this.writeBlockRow(level.grid, rows, n, row, level),
      );
    });
  }

  writeTile(tileX: number, tileY: number, data: SampleArray): Promise<void> {
    return this.run('tiles', async () => {
      if (this.overviews) {
        throw new LandWatchError('E_INTERNAL', 'GeoTIFF writer: overviews need writeRows.');
      }
      const bytes = this.grid.padTile(tileX, tileY, data);
      const index = tileY * this.grid.blocksAcross + tileX;
      if (this.offsets[index] !== -1) {
        throw new LandWatchError('E_INTERNAL', `Tile ${tileX},${tileY} was written twice.`);
      }
      await this.writeBlocks([{ index, bytes }]);
    });
  }

  async close(): Promise<void> {
    await this.run(null, async () => {
      const missing = this.offsets.filter((o) => o === -1).length;
      if (missing > 0 || (this.overviews && !this.overviews.complete())) {
        throw new LandWatchError(
          'E_INTERNAL',
          `${missing} of ${this.offsets.length} blocks were never written.`,
        );
      }
      // The full image's directory first (readers take image 0 as the image), then one reduced
      // image directory (NewSubfileType 1) per overview level, each pointing at the next.
      const dirs: TiffTag[][] = [
        [
          ...imageTags(this.grid, this.compression, this.offsets, this.byteCounts, this.nodata),
          ...this.geoTags,
        ],
      ];
      for (let level = this.overviews; level; level = level.next) {
        dirs.push([
          { tag: Tag.NewSubfileType, type: 'LONG', values: [1] },
          ...imageTags(level.grid, this.compression, level.offsets, level.byteCounts, this.nodata),
        ]);
      }
      const chain = encodeIfdChain(dirs, this.position);
      if (chain.end > MAX_CLASSIC_TIFF_OFFSET) throw tooLarge(this.path);
      for (const { offset, bytes } of chain.ifds) {
        await this.file.write(bytes, 0, bytes.length, offset);
      }
      await this.file.write(encodeTiffHeader(chain.ifds[0].offset), 0, 8, 0);
      await this.file.close();
      await rename(this.partPath, this.path);
    });
    this.state = 'closed';
  }

  async abort(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'failed';
    await this.file.close().catch(() => undefined);
    await rm(this.partPath, { force: true });
  }

  /**
   * Block row `blockRow` of `grid` (the top `rows` rows of `buffer`), cut, compressed and appended
   * a few blocks at a time.
   */
  private async writeBlockRow(
    grid: BlockGrid,
    buffer: SampleArray,
    rows: number,
    blockRow: number,
    level: { offsets: number[]; byteCounts: number[] },
  ): Promise<void> {
    const across = grid.blocksInRow;
    const first = blockRow * across;
    for (let g = 0; g < across; g += DEFLATE_PARALLEL) {
      const blocks = grid.cutRowOfBlocks(buffer, rows, g, g + DEFLATE_PARALLEL);
      await this.writeBlocks(
        blocks.map((bytes, i) => ({ index: first + g + i, bytes })),
        level,
      );
    }
  }

  /**
   * Compresses blocks in parallel (zlib runs on the libuv pool), then appends them in order; their
   * places go to the full image's lists or to an overview level's.
   */
  private async writeBlocks(
    blocks: { index: number; bytes: Uint8Array }[],
    level: { offsets: number[]; byteCounts: number[] } = this,
  ): Promise<void> {
    // A few at a time (the libuv pool has 4 threads): each deflate stream holds ~300 kB of native
    // state in its thread's malloc arena, and a 16 384 px wide row of 64 blocks all at once made
    // peak RSS grow with the scene's width.
    for (let g = 0; g < blocks.length; g += DEFLATE_PARALLEL) {
      const group = blocks.slice(g, g + DEFLATE_PARALLEL);
      const deflate = this.compression === 'deflate';
      const payloads = this.blocking
        ? group.map((b) => (deflate ? this.compressHere(b.bytes) : b.bytes))
        : deflate
          ? await Promise.all(group.map((b) => this.compress(b.bytes)))
          : group.map((b) => b.bytes);
      const start = this.position;
      for (const [i, payload] of payloads.entries()) {
        if (this.position + payload.length > MAX_CLASSIC_TIFF_OFFSET) throw tooLarge(this.path);
        if (!this.blocking) await this.file.write(payload, 0, payload.length, this.position);
        level.offsets[group[i].index] = this.position;
        level.byteCounts[group[i].index] = payload.length;
        this.position += payload.length;
      }
      // Blocking: the group in one system call.
      if (this.blocking) writeAllOf(this.file.fd, payloads, start);
    }
  }

  /** {@link compress} on this thread (the `blocking` option). */
  private compressHere(bytes: Uint8Array): Uint8Array {
    return anyNonZero(bytes) ? deflateSync(bytes, { level: 6 }) : this.emptyBlock(bytes.length);
  }

  /** A block deflated (through the libuv pool). */
  private async compress(bytes: Uint8Array): Promise<Uint8Array> {
    return anyNonZero(bytes) ? deflateAsync(bytes, { level: 6 }) : this.emptyBlock(bytes.length);
  }

  /**
   * An empty block of `length` bytes deflated. Empty blocks (most of a change mask or a screened
   * probability) all compress to the same bytes: those are compressed once per block size (a
   * fraction of a millisecond, on this thread) and reused.
   */
  private emptyBlock(length: number): Uint8Array {
    let empty = this.emptyBlocks.get(length);
    if (!empty) {
      empty = deflateSync(new Uint8Array(length), { level: 6 });
      this.emptyBlocks.set(length, empty);
    }
    return empty;
  }

  /** Serialises calls and turns any failure into a deleted partial file. */
  private async run(mode: 'rows' | 'tiles' | null, work: () => Promise<void>): Promise<void> {
    if (this.state === 'busy') {
      throw new LandWatchError('E_INTERNAL', 'GeoTIFF writer: await each call before the next.');
    }
    if (this.state !== 'open') {
      throw new LandWatchError(
        'E_INTERNAL',
        `GeoTIFF writer for ${this.path} is already ${this.state}.`,
      );
    }
    if (mode) {
      if (mode === 'tiles' && this.grid.layout !== 'tiled') {
        throw new LandWatchError('E_INTERNAL', 'writeTile needs the tiled layout.');
      }
      if (this.mode && this.mode !== mode) {
        throw new LandWatchError('E_INTERNAL', 'Do not mix writeRows and writeTile in one file.');
      }
      this.mode = mode;
    }
    this.state = 'busy';
    try {
      await work();
      this.state = 'open';
    } catch (error) {
      await this.abort();
      throw error;
    }
  }
}
