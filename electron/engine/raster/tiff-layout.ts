/**
 * How a GeoTIFF's pixels are cut into blocks (tiles or strips) and which baseline TIFF tags
 * describe that layout. Kept apart from the streaming writer so the geometry can be reasoned about
 * (and validated) without any I/O.
 */
import { LandWatchError } from '../errors.js';
import { anyNonZeroInRuns } from './byte-scan.js';
import { Tag, type TiffTag } from './tiff-ifd.js';

/** Sample types LandWatch writes: masks (uint8), 16-bit imagery, probabilities (float32). */
export type SampleFormat = 'uint8' | 'uint16' | 'float32';

/** Pixel data for one of the sample formats. */
export type SampleArray = Uint8Array | Uint16Array | Float32Array;

/** The layout-related subset of the writer options. */
export interface LayoutOptions {
  width: number;
  height: number;
  bands: number;
  sampleFormat: SampleFormat;
  photometric?: 'minisblack' | 'rgb';
  layout?: 'tiled' | 'strip';
  tileSize?: number;
  rowsPerStrip?: number;
  nodata?: number;
}

const BYTES: Record<SampleFormat, number> = { uint8: 1, uint16: 2, float32: 4 };

function invalid(message: string): never {
  throw new LandWatchError('E_INTERNAL', `GeoTIFF writer: ${message}`);
}

function bytesOf(array: SampleArray): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** Validated image geometry plus the block grid laid over it. */
export class BlockGrid {
  readonly width: number;
  readonly height: number;
  readonly bands: number;
  readonly sampleFormat: SampleFormat;
  readonly photometric: 'minisblack' | 'rgb';
  readonly layout: 'tiled' | 'strip';
  readonly blockWidth: number;
  readonly blockHeight: number;
  readonly blocksAcross: number;
  readonly blocksDown: number;

  constructor(options: LayoutOptions) {
    const { width, height, bands, sampleFormat } = options;
    for (const [name, value] of [
      ['width', width],
      ['height', height],
      ['bands', bands],
    ] as const) {
      if (!Number.isInteger(value) || value < 1) invalid(`${name} must be a positive integer`);
    }
    if (bands > 64) invalid('at most 64 bands');
    if (!(sampleFormat in BYTES)) invalid(`unknown sample format ${String(sampleFormat)}`);
    this.photometric = options.photometric ?? 'minisblack';
    if (this.photometric === 'rgb' && bands < 3) invalid('photometric rgb needs at least 3 bands');
    this.layout = options.layout ?? 'tiled';
    if (this.layout === 'tiled') {
      const tile = options.tileSize ?? 256;
      // The TIFF specification requires tile edges to be multiples of 16.
      if (!Number.isInteger(tile) || tile < 16 || tile > 4096 || tile % 16 !== 0) {
        invalid('tileSize must be a multiple of 16 between 16 and 4096');
      }
      this.blockWidth = tile;
      this.blockHeight = tile;
    } else {
      const rows = options.rowsPerStrip ?? 16;
      if (!Number.isInteger(rows) || rows < 1) invalid('rowsPerStrip must be a positive integer');
      this.blockWidth = width;
      this.blockHeight = Math.min(rows, height);
    }
    if (options.nodata !== undefined) checkNodata(options.nodata, sampleFormat);
    this.width = width;
    this.height = height;
    this.bands = bands;
    this.sampleFormat = sampleFormat;
    this.blocksAcross = Math.ceil(width / this.blockWidth);
    this.blocksDown = Math.ceil(height / this.blockHeight);
  }

  get blockCount(): number {
    return this.blocksAcross * this.blocksDown;
  }

  get bytesPerSample(): number {
    return BYTES[this.sampleFormat];
  }

  /** File size without compression (tiles are padded to full size; strips are not). */
  uncompressedBytes(): number {
    const rows = this.layout === 'tiled' ? this.blocksDown * this.blockHeight : this.height;
    return this.blocksAcross * this.blockWidth * rows * this.bands * this.bytesPerSample;
  }

  /** The tile {@link BlockGrid.cutRowOfBlocks} hands out for every empty block: read only. */
  private emptyTile: Uint8Array | null = null;

  allocate(length: number): SampleArray {
    if (this.sampleFormat === 'uint8') return new Uint8Array(length);
    if (this.sampleFormat === 'uint16') return new Uint16Array(length);
    return new Float32Array(length);
  }

  /** Rejects data whose element type does not match the sample format. */
  checkArray(data: SampleArray): void {
    const ok =
      (this.sampleFormat === 'uint8' && data instanceof Uint8Array) ||
      (this.sampleFormat === 'uint16' && data instanceof Uint16Array) ||
      (this.sampleFormat === 'float32' && data instanceof Float32Array);
    if (!ok) invalid(`expected ${this.sampleFormat} samples, got ${data.constructor.name}`);
  }

  /**
   * Cuts `rows` full-width rows (the top of `buffer`) into blocks `tx0` … `tx1 - 1` of one block
   * row (all of them by default). Tiles are padded with zeros to full size, as TIFF requires; a
   * strip holds exactly its rows. Writers cut a few blocks at a time: a 16 384 px wide row of
   * 256-px tiles cut at once is 4 MB of short-lived copies.
   */
  cutRowOfBlocks(
    buffer: SampleArray,
    rows: number,
    tx0 = 0,
    tx1 = this.blocksAcross,
  ): Uint8Array[] {
    const rowLength = this.width * this.bands;
    if (this.layout === 'strip') return [bytesOf(buffer.subarray(0, rows * rowLength)).slice()];
    const tileRow = this.blockWidth * this.bands;
    const tiles: Uint8Array[] = [];
    const bytes = bytesOf(buffer);
    const size = buffer.BYTES_PER_ELEMENT;
    for (let tx = tx0; tx < Math.min(tx1, this.blocksAcross); tx++) {
      const x0 = tx * this.blockWidth * this.bands;
      const take = Math.min(tileRow, rowLength - x0);
      if (!anyNonZeroInRuns(bytes, x0 * size, rowLength * size, take * size, rows)) {
        // Most blocks of a change mask or a screened probability: one shared tile of zeros
        // (never written to) instead of a new one each.
        this.emptyTile ??= bytesOf(this.allocate(tileRow * this.blockHeight));
        tiles.push(this.emptyTile);
        continue;
      }
      const tile = this.allocate(tileRow * this.blockHeight);
      for (let r = 0; r < rows; r++) {
        tile.set(buffer.subarray(r * rowLength + x0, r * rowLength + x0 + take), r * tileRow);
      }
      tiles.push(bytesOf(tile));
    }
    return tiles;
  }

  /** Blocks in one block row (1 for strips). */
  get blocksInRow(): number {
    return this.layout === 'strip' ? 1 : this.blocksAcross;
  }

  /** Validates one tile given to writeTile and returns it padded to full tile size, as bytes. */
  padTile(tileX: number, tileY: number, data: SampleArray): Uint8Array {
    this.checkArray(data);
    if (!Number.isInteger(tileX) || !Number.isInteger(tileY))
      invalid('tile indices must be integers');
    if (tileX < 0 || tileY < 0 || tileX >= this.blocksAcross || tileY >= this.blocksDown) {
      invalid(`tile ${tileX},${tileY} is outside the ${this.blocksAcross}x${this.blocksDown} grid`);
    }
    const fullRow = this.blockWidth * this.bands;
    if (data.length === fullRow * this.blockHeight) return bytesOf(data).slice();
    const w = Math.min(this.blockWidth, this.width - tileX * this.blockWidth);
    const h = Math.min(this.blockHeight, this.height - tileY * this.blockHeight);
    if (data.length !== w * h * this.bands) {
      invalid(
        `tile ${tileX},${tileY} needs ${fullRow * this.blockHeight} or ${w * h * this.bands} samples`,
      );
    }
    const tile = this.allocate(fullRow * this.blockHeight);
    for (let r = 0; r < h; r++) {
      tile.set(data.subarray(r * w * this.bands, (r + 1) * w * this.bands), r * fullRow);
    }
    return bytesOf(tile);
  }
}

function checkNodata(value: number, format: SampleFormat): void {
  if (format === 'float32') return;
  const max = format === 'uint8' ? 255 : 65535;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    invalid(`nodata ${value} is not a valid ${format} value`);
  }
}

/** GDAL_NODATA is text; GDAL spells the IEEE specials this way. */
function formatNodata(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  return String(value);
}

/** The baseline TIFF tags (everything except georeferencing) for a finished image. */
export function imageTags(
  grid: BlockGrid,
  compression: 'none' | 'deflate',
  offsets: readonly number[],
  byteCounts: readonly number[],
  nodata: number | undefined,
): TiffTag[] {
  const perBand = (value: number): number[] => new Array<number>(grid.bands).fill(value);
  const colourSamples = grid.photometric === 'rgb' ? 3 : 1;
  const tags: TiffTag[] = [
    { tag: Tag.ImageWidth, type: 'LONG', values: [grid.width] },
    { tag: Tag.ImageLength, type: 'LONG', values: [grid.height] },
    { tag: Tag.BitsPerSample, type: 'SHORT', values: perBand(grid.bytesPerSample * 8) },
    { tag: Tag.Compression, type: 'SHORT', values: [compression === 'deflate' ? 8 : 1] },
    { tag: Tag.Photometric, type: 'SHORT', values: [grid.photometric === 'rgb' ? 2 : 1] },
    { tag: Tag.SamplesPerPixel, type: 'SHORT', values: [grid.bands] },
    { tag: Tag.PlanarConfiguration, type: 'SHORT', values: [1] },
    {
      tag: Tag.SampleFormat,
      type: 'SHORT',
      values: perBand(grid.sampleFormat === 'float32' ? 3 : 1),
    },
  ];
  if (grid.bands > colourSamples) {
    // Without ExtraSamples libtiff (hence GDAL/QGIS) warns that the sample count does not add up.
    tags.push({
      tag: Tag.ExtraSamples,
      type: 'SHORT',
      values: new Array(grid.bands - colourSamples).fill(0),
    });
  }
  if (grid.layout === 'tiled') {
    tags.push(
      { tag: Tag.TileWidth, type: 'LONG', values: [grid.blockWidth] },
      { tag: Tag.TileLength, type: 'LONG', values: [grid.blockHeight] },
      { tag: Tag.TileOffsets, type: 'LONG', values: offsets },
      { tag: Tag.TileByteCounts, type: 'LONG', values: byteCounts },
    );
  } else {
    tags.push(
      { tag: Tag.RowsPerStrip, type: 'LONG', values: [grid.blockHeight] },
      { tag: Tag.StripOffsets, type: 'LONG', values: offsets },
      { tag: Tag.StripByteCounts, type: 'LONG', values: byteCounts },
    );
  }
  if (nodata !== undefined)
    tags.push({ tag: Tag.GdalNodata, type: 'ASCII', values: formatNodata(nodata) });
  return tags;
}
