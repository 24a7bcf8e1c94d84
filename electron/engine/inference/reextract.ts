/**
 * Polygons from a probability raster kept on disk (a detection's probability.tif), at any
 * threshold and minimum area, without running the model again. Detection itself vectorises
 * through here, so a re-extraction at the run's own threshold gives the run's own polygons. Where
 * the run kept a kind map (kind.tif beside the probability), each polygon gets its change kind
 * from it (kind-assign.ts).
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
import { GeoTiffRows } from '../raster/probability-file.js';
import type { GeoTransform } from '../vector/geo.js';
import type { ChangePolygon } from '../vector/polygonize.js';
import { assignKinds, kindMapFor } from './kind-assign.js';
import { StripVectoriser, type ProbabilityRows } from './strip-vectorise.js';

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

/**
 * Re-extracts change polygons from a detection's probability GeoTIFF.
 *
 * @param probPath - `DetectResult.probabilityPath` (uint8, value = probability × 255)
 * @param threshold - probability (0–1) at or above which a pixel counts as changed
 * @param minArea - smallest change kept, in m²
 * @example
 * const run = await detectChanges({ beforePath, afterPath });
 * const stricter = await reextract(run.probabilityPath!, 0.7, 200);
 */
export async function reextract(
  probPath: string,
  threshold: number,
  minArea: number,
  options: ReextractOptions = {},
): Promise<ReextractResult> {
  const {
    probability: _p,
    mask: _m,
    ...rest
  } = await extractPolygons(probPath, threshold, minArea, options);
  return rest;
}

/** {@link reextract}, optionally also returning the probability and mask as arrays (small rasters). */
export async function extractPolygons(
  probPath: string,
  threshold: number,
  minArea: number,
  options: ReextractOptions & { keepInMemory?: boolean },
): Promise<ExtractedPolygons> {
  const rows = await GeoTiffRows.open(probPath);
  try {
    const { crs, geoTransform, geoKeyTags } = rows.info;
    const geoKeys: GeoKeySource = {
      copyFrom: {
        geoKeyDirectory: geoKeyTags.directory,
        doubleParams: geoKeyTags.doubleParams,
        asciiParams: geoKeyTags.asciiParams,
      },
    };
    const source = {
      rows,
      crs,
      geoTransform: [...geoTransform] as GeoTransform,
      geoKeys,
      probPath,
    };
    const extraction = await PolygonExtraction.start(source, threshold, minArea, options);
    try {
      return await extraction.finish();
    } catch (error) {
      await extraction.abort();
      throw error;
    }
  } finally {
    rows.close();
  }
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
    private readonly options: ReextractOptions & { keepInMemory?: boolean },
    private readonly scratch: string,
    private readonly probability: Float32Array | undefined,
    private readonly mask: Uint8Array | undefined,
  ) {}

  static async start(
    source: ExtractionSource,
    threshold: number,
    minArea: number,
    options: ReextractOptions & { keepInMemory?: boolean },
  ): Promise<PolygonExtraction> {
    const { width, height } = source.rows;
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
      const kindMap = await kindMapFor(
        { path: source.probPath, width, height, geoTransform: source.geoTransform },
        options.kindPath,
      );
      const polygons = kindMap.path
        ? await assignKinds(result.polygons, kindMap.path, options.signal)
        : result.polygons;
      const notes =
        'note' in kindMap && kindMap.note ? [...result.notes, kindMap.note] : result.notes;
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
