/**
 * Vectorising a detection's probability rows, finished or still being written: the polygons, the
 * kept mask GeoTIFF and, where the run kept a kind map, each polygon's change kind. Apart from
 * reextract.ts so a detection's writing thread (follow-worker.ts) loads it without geotiff.js:
 * the kind map is read through kind-assign.ts, imported only where a run has one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CrsInfo } from '../raster/crs-from-geokeys.js';
import {
  createGeoTiffWriter,
  type GeoKeySource,
  type GeoTiffWriter,
} from '../raster/geotiff-write.js';
import type { GeoTransform } from '../vector/geo.js';
import type { ChangePolygon } from '../vector/polygonize.js';
import type * as KindAssign from './kind-assign.js';
import { StripVectoriser, type ProbabilityRows } from './strip-vectorise.js';

/** kind-assign.ts (geotiff.js, proj4 and the model card's schema with it), loaded once. */
let kindAssign: Promise<typeof KindAssign> | null = null;
const loadKindAssign = () => (kindAssign ??= import('./kind-assign.js'));

export interface ReextractOptions {
  /** Also write the kept change mask (0/255 GeoTIFF on the probability's grid) here. */
  maskPath?: string;
  /** Folder for the temporary bit mask; default a new folder in the system's temp folder. */
  scratchDir?: string;
  /**
   * The run's kind map (1/4-resolution kind probabilities); default kind.tif beside the
   * probability when there is one; null: assign no kinds.
   */
  kindPath?: string | null;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface ReextractResult {
  polygons: ChangePolygon[];
  /** The CRS of the polygons (the probability raster's). */
  crs: CrsInfo;
  /** Pixels of kept changes. */
  keptPixels: number;
  notes: string[];
}

/** How a detection's extraction runs, beyond {@link ReextractOptions}. */
export interface ExtractionOptions extends ReextractOptions {
  /** Also return the probability and kept mask as arrays. */
  keepInMemory?: boolean;
  /** The mask GeoTIFF's blocks compressed and written on this thread (geotiff-write.ts). */
  blocking?: boolean;
}

/** What {@link extractPolygons} returns: the arrays only where `keepInMemory` was asked. */
export type ExtractedPolygons = ReextractResult & { probability?: Float32Array; mask?: Uint8Array };

/** Probability rows to extract from, with where they lie. */
export interface ExtractionSource {
  rows: ProbabilityRows;
  crs: CrsInfo;
  geoTransform: GeoTransform;
  /** For the mask GeoTIFF. */
  geoKeys: GeoKeySource;
  /** The probability GeoTIFF (finished or to be), beside which a kind map may lie. */
  probPath: string;
}

/**
 * An extraction that can follow rows still being written (a detection's raw probability):
 * `advance(ready)` cleans and labels the strips above row `ready` (strip-vectorise.ts, pass 1),
 * `finish` traces the polygons once every row is there. {@link extractPolygons} is the same over
 * a finished file.
 */
export class PolygonExtraction {
  private constructor(
    private readonly source: ExtractionSource,
    private readonly vectoriser: StripVectoriser,
    private readonly writer: GeoTiffWriter | null,
    private readonly options: ExtractionOptions,
    private readonly scratch: string,
    private readonly probability: Float32Array | undefined,
    private readonly mask: Uint8Array | undefined,
  ) {}

  static async start(
    source: ExtractionSource,
    threshold: number,
    minArea: number,
    options: ExtractionOptions,
  ): Promise<PolygonExtraction> {
    const { width, height } = source.rows;
    // Loaded while the rows are vectorised, for `finish`, where a run may keep a kind map.
    if (options.kindPath !== null) loadKindAssign().catch(() => {});
    const scratch = options.scratchDir ?? mkdtempSync(join(tmpdir(), 'lw-vector-'));
    const probability = options.keepInMemory ? new Float32Array(width * height) : undefined;
    const mask = options.keepInMemory ? new Uint8Array(width * height) : undefined;
    const writer = options.maskPath
      ? await createGeoTiffWriter(options.maskPath, {
          width,
          height,
          bands: 1,
          sampleFormat: 'uint8',
          photometric: 'minisblack',
          geoTransform: source.geoTransform,
          geoKeys: source.geoKeys,
          overwrite: true,
          blocking: options.blocking,
        })
      : null;
    const srcBytes = source.rows.bytes;
    const rows: ProbabilityRows = {
      width,
      height,
      read: async (y0: number, y1: number, signal?: AbortSignal) => {
        const data = await source.rows.read(y0, y1, signal);
        probability?.set(data, y0 * width);
        return data;
      },
      bytes: srcBytes && {
        table: srcBytes.table,
        read: async (y0: number, y1: number, signal?: AbortSignal) => {
          const data = await srcBytes.read(y0, y1, signal);
          if (probability) {
            const at = y0 * width;
            for (let i = 0; i < data.length; i++) probability[at + i] = srcBytes.table[data[i]];
          }
          return data;
        },
      },
    };
    const vectoriser = new StripVectoriser(rows, {
      threshold,
      minAreaM2: minArea,
      geoTransform: source.geoTransform,
      geographic: source.crs.geographic,
      metresPerUnit: source.crs.metresPerUnit,
      scratchDir: scratch,
      signal: options.signal,
      onProgress: options.onProgress,
      onMaskRows: async (y, maskRows) => {
        if (mask)
          for (let i = 0; i < maskRows.length; i++) mask[y * width + i] = maskRows[i] ? 1 : 0;
        await writer?.writeRows(maskRows);
      },
    });
    return new PolygonExtraction(source, vectoriser, writer, options, scratch, probability, mask);
  }

  /** Cleans and labels what lies above row `ready` (rows above it must be final). */
  advance(ready: number): Promise<void> {
    return this.vectoriser.advance(ready);
  }

  /** Traces the polygons (every row must be final), writes the mask, assigns kinds. */
  async finish(): Promise<ExtractedPolygons> {
    const { source, options } = this;
    const { width, height } = source.rows;
    try {
      const result = await this.vectoriser.finish();
      await this.writer?.close();
      let { polygons, notes } = result;
      if (options.kindPath !== null) {
        const { assignKinds, kindMapFor } = await loadKindAssign();
        const kindMap = await kindMapFor(
          { path: source.probPath, width, height, geoTransform: source.geoTransform },
          options.kindPath,
        );
        if (kindMap.path) polygons = await assignKinds(polygons, kindMap.path, options.signal);
        if ('note' in kindMap && kindMap.note) notes = [...notes, kindMap.note];
      }
      const { probability, mask } = this;
      return { ...result, polygons, notes, crs: source.crs, probability, mask };
    } finally {
      this.release();
    }
  }

  /** Stops: deletes the partial mask file and the scratch files. */
  async abort(): Promise<void> {
    await this.writer?.abort();
    this.release();
  }

  private release(): void {
    this.vectoriser.dispose();
    if (!this.options.scratchDir) rmSync(this.scratch, { recursive: true, force: true });
  }
}
