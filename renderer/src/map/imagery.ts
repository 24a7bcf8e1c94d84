/**
 * The before/after imagery: one `ol/source/GeoTIFF` + WebGL tile layer per scene, read straight
 * from `SceneView.url` by HTTP range requests (COG). Grey for 1-band scenes, the first three bands
 * as RGB otherwise, with a 2–98 % percentile stretch computed from the smallest overview.
 */
import { fromUrl } from 'geotiff';
import GeoTIFF from 'ol/source/GeoTIFF.js';
import WebGLTileLayer from 'ol/layer/WebGLTile.js';
import type Projection from 'ol/proj/Projection.js';
import type { ExpressionValue } from 'ol/expr/expression.js';
import type { SceneView } from '../../../electron/common/contract.js';
import {
  chooseBands,
  colorExpression,
  percentileRange,
  sourceMinMax,
  type BandRange,
  displayRanges,
} from './stretch.js';

/** Images bigger than this are sampled through a central window rather than read whole. */
const MAX_STATS_PIXELS = 2048 * 2048;
const STATS_WINDOW = 1024;
const STATS_TIMEOUT_MS = 10_000;

export interface Imagery {
  scene: SceneView;
  source: GeoTIFF;
  layer: WebGLTileLayer;
}

/**
 * Percentile ranges of `bands` (1-based), read from the smallest overview of the COG. Resolves to
 * an empty map when the statistics cannot be read: the source then falls back to the GDAL
 * statistics or the data type's range.
 */
export async function readBandRanges(
  url: string,
  bands: readonly number[],
  signal?: AbortSignal,
): Promise<Map<number, BandRange>> {
  const tiff = await fromUrl(url, {}, signal);
  const count = await tiff.getImageCount();
  let smallest = await tiff.getImage(0);
  for (let i = 1; i < count; i++) {
    const image = await tiff.getImage(i);
    const subfile = Number(image.fileDirectory.getValue('NewSubfileType') ?? 0);
    const isOverview = (subfile & 1) === 1 && (subfile & 4) === 0;
    if (isOverview && image.getWidth() < smallest.getWidth()) smallest = image;
  }
  const width = smallest.getWidth();
  const height = smallest.getHeight();
  let window: number[] | undefined;
  if (width * height > MAX_STATS_PIXELS) {
    const w = Math.min(width, STATS_WINDOW);
    const h = Math.min(height, STATS_WINDOW);
    const x0 = Math.floor((width - w) / 2);
    const y0 = Math.floor((height - h) / 2);
    window = [x0, y0, x0 + w, y0 + h];
  }
  const rasters = await smallest.readRasters({
    samples: bands.map((b) => b - 1),
    window,
    interleave: false,
    signal,
  });
  const nodata = smallest.getGDALNoData();
  const ranges = new Map<number, BandRange>();
  bands.forEach((band, i) => {
    const values = rasters[i] as ArrayLike<number> | undefined;
    const range = values ? percentileRange(values, nodata) : null;
    if (range) ranges.set(band, range);
  });
  const bits = Number(smallest.getBitsPerSample?.(0) ?? 8);
  return displayRanges(ranges, bits);
}

async function rangesOrNothing(
  scene: SceneView,
  bands: readonly number[],
): Promise<Map<number, BandRange>> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), STATS_TIMEOUT_MS);
  try {
    return await readBandRanges(scene.url, bands, controller.signal);
  } catch (err) {
    console.warn(`LandWatch: no stretch statistics for ${scene.name}; using defaults`, err);
    return new Map();
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Creates the source and layer for one scene. `onError` hears about a source that fails to load
 * (unreachable URL, not a GeoTIFF), so the failure becomes a visible message.
 */
export async function createImagery(
  scene: SceneView,
  projection: Projection,
  onError: (message: string) => void,
): Promise<Imagery> {
  const bands = chooseBands(scene.bands);
  const ranges = await rangesOrNothing(scene, bands);
  const { min, max } = sourceMinMax(scene.bands, ranges);
  const source = new GeoTIFF({
    sources: [
      {
        url: scene.url,
        bands,
        ...(ranges.size > 0 ? { min, max } : {}),
      },
    ],
    projection,
    normalize: true,
    interpolate: true,
    transition: 0,
  });
  source.on('change', () => {
    if (source.getState() === 'error') {
      const why = source.getError()?.message ?? 'unknown error';
      onError(`Could not load the ${scene.role} image “${scene.name}”: ${why}`);
    }
  });
  const layer = new WebGLTileLayer({
    source,
    className: `lw-imagery lw-imagery-${scene.role}`,
    style: { color: colorExpression(bands.length) as ExpressionValue },
    properties: { role: scene.role },
  });
  return { scene, source, layer };
}

/** Releases a scene's GPU resources and stops its tile loading. */
export function disposeImagery(imagery: Imagery): void {
  imagery.layer.dispose();
  imagery.source.dispose();
}
