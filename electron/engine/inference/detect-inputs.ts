/**
 * Everything a detection derives from its inputs before the model runs: both dates opened and
 * aligned (the after date resampled onto the before grid when they differ), the model, the bands
 * and radiometry of each date, the processed window's georeferencing, and the key that identifies
 * the run's probability so a rerun or a resume finds it.
 */
import { afterReader, alignDates, checkOverlapSize, type Alignment } from '../raster/alignment.js';
import { chooseBands } from '../raster/bands.js';
import type { GeoKeySource } from '../raster/geotiff-write.js';
import type { PolygonRings } from '../store/geometry/polygon-ops.js';
import { prepareDates } from '../raster/radiometry.js';
import { RasterSource, type GeoTransform, type RasterInfo } from '../raster/raster-source.js';
import { aoiRings } from './aoi.js';
import { declutterNote, findDeclutterModel, wantsDeclutter } from './declutter.js';
import type { DetectParams } from './detect.js';
import {
  cardKinds,
  type InstalledModel,
  type ModelCard,
  type TaskModelCard,
} from './model-card.js';
import { findRunModel } from './model-variant.js';
import { SCREENING_DEFAULTS, SCREENING_MIN_PIXELS } from './screening.js';
import type { DateInput } from './tile-predict.js';
import { fileStamp, runKey } from './work-dir.js';

export interface DetectInputs {
  before: RasterSource;
  after: RasterSource;
  alignment: Alignment;
  model: InstalledModel;
  card: ModelCard;
  /** [before, after] as the tile runner reads them. */
  dates: [DateInput, DateInput];
  /** Geotransform of the processed window (the overlap) in the before CRS. */
  windowTransform: GeoTransform;
  /** GeoKeys of the before image, for rasters written on its grid. */
  geoKeys: GeoKeySource;
  /** The area of interest as rings in the before CRS; null = the whole overlap. */
  aoi: PolygonRings | null;
  /** Whether coarse screening runs. */
  screening: boolean;
  /** The interference-removal model when a date is to be cleaned up (see declutter.ts). */
  declutterModel: InstalledModel<TaskModelCard> | null;
  /** Identifies the probability these inputs produce (see work-dir.ts). */
  key: string;
  notes: string[];
  close(): void;
}

/**
 * Opens and prepares both dates; closes what it opened if anything fails. `onModel` hears the
 * model as soon as it is chosen and the dates' bands fit it, with the overlap's size and whether
 * it will be screened, before the dates are sampled for their stretch: the caller can load the
 * model meanwhile.
 */
export async function openInputs(
  params: DetectParams,
  signal?: AbortSignal,
  onModel?: (
    model: InstalledModel,
    overlap: { width: number; height: number; screening: boolean },
  ) => void,
): Promise<DetectInputs> {
  const before = await RasterSource.open(params.beforePath, signal);
  let after: RasterSource | null = null;
  try {
    after = await RasterSource.open(params.afterPath, signal);
    const alignment = alignDates(before.info, after.info);
    const run = findRunModel(params.modelId, params.device ?? 'auto');
    const { model } = run;
    const card = model.card;
    const notes = [
      ...(run.note ? [run.note] : []),
      ...alignment.notes,
      ...checkOverlapSize(alignment, before.info, after.info, card.tile.multipleOf),
    ];
    const picks = [before, after].map((s) => chooseBands(s.info, card.bands, params.bands));
    picks.forEach((p, i) => notes.push(`${i === 0 ? 'before' : 'after'}: ${p.note}`));
    const screening = params.screening ?? alignment.width * alignment.height > SCREENING_MIN_PIXELS;
    onModel?.(model, { width: alignment.width, height: alignment.height, screening });
    const radiometry = await prepareDates(
      before,
      after,
      [picks[0].bands, picks[1].bands],
      { stretch: params.stretch ?? 'auto', match: params.matchRadiometry ?? true },
      signal,
    );
    notes.push(...radiometry.notes);
    const [prepBefore, prepAfter] = radiometry.dates;
    const dates: [DateInput, DateInput] = [
      { source: before, bands: picks[0].bands, ...prepBefore, dx: 0, dy: 0 },
      {
        source: afterReader(before.info, after.info, after, alignment),
        bands: picks[1].bands,
        ...prepAfter,
        dx: alignment.afterDx,
        dy: alignment.afterDy,
      },
    ];
    const aoi = params.aoi ? aoiRings(params.aoi) : null;
    const declutterModel = wantsDeclutter(params.declutter) ? findDeclutterModel() : null;
    if (declutterModel) notes.push(declutterNote(params.declutter ?? {}, declutterModel));
    const key = runKey({
      screening: screening ? SCREENING_DEFAULTS : null,
      // Tiles outside the AOI stay 0 in the probability: another AOI must not reuse it.
      aoi,
      before: fileStamp(params.beforePath),
      after: fileStamp(params.afterPath),
      model: {
        id: card.id,
        version: card.version,
        tile: card.tile,
        file: fileStamp(model.onnxPath),
        // The kind map is part of a run's output; omitted without one so earlier keys stay valid.
        ...(card.outputs.kind
          ? { kind: { output: card.outputs.kind, kinds: cardKinds(card) } }
          : {}),
      },
      alignment,
      dates: dates.map((d) => ({ bands: d.bands, stretch: d.stretch, linear: d.linear })),
      // Cleaned dates give another probability; omitted when off so earlier keys stay valid.
      ...(declutterModel
        ? {
            declutter: {
              before: Boolean(params.declutter?.before),
              after: Boolean(params.declutter?.after),
              model: `${declutterModel.card.id}@${declutterModel.card.version}`,
              file: fileStamp(declutterModel.onnxPath),
            },
          }
        : {}),
    });
    const opened = after;
    return {
      before,
      after,
      alignment,
      model,
      card,
      dates,
      windowTransform: shiftTransform(before.info.geoTransform, alignment.x, alignment.y),
      geoKeys: copyKeys(before.info),
      aoi,
      screening,
      declutterModel,
      key,
      notes,
      close: () => {
        before.close();
        opened.close();
      },
    };
  } catch (error) {
    before.close();
    after?.close();
    throw error;
  }
}

/** The geotransform of a window starting at pixel (x, y) of a grid. */
export function shiftTransform(gt: GeoTransform, x: number, y: number): GeoTransform {
  return [gt[0] + x * gt[1] + y * gt[2], gt[1], gt[2], gt[3] + x * gt[4] + y * gt[5], gt[4], gt[5]];
}

function copyKeys(info: RasterInfo): GeoKeySource {
  return {
    copyFrom: {
      geoKeyDirectory: info.geoKeyTags.directory,
      doubleParams: info.geoKeyTags.doubleParams,
      asciiParams: info.geoKeyTags.asciiParams,
    },
  };
}
