/**
 * The before/after imagery: one `ol/source/GeoTIFF` per scene, read from `SceneView.url` (the
 * original when it is a tiled COG, else the engine's display copy) by HTTP range requests through
 * one bounded queue (request-queue.ts), drawn by WebGL tile layers whose band choice and contrast
 * stretch are style variables (stretch.ts). The statistics behind the stretch come from the
 * smallest overview, read once per scene.
 */
import { BaseClient, BaseResponse, fromCustomClient } from 'geotiff';
import GeoTIFF from 'ol/source/GeoTIFF.js';
import WebGLTileLayer from 'ol/layer/WebGLTile.js';
import type Projection from 'ol/proj/Projection.js';
import type { ExpressionValue } from 'ol/expr/expression.js';
import type { SceneView } from '../../../electron/common/contract.js';
import {
  STRETCH_COLOR,
  defaultSettings,
  stretchRange,
  stretchRanges,
  styleVariables,
  type BandRange,
  type BandSample,
  type ImagerySettings,
} from './stretch.js';
import { imageryQueue } from './request-queue.js';

/** Images bigger than this are sampled through a central window rather than read whole. */
const MAX_STATS_PIXELS = 2048 * 2048;
const STATS_WINDOW = 1024;
const STATS_TIMEOUT_MS = 10_000;

export interface Imagery {
  scene: SceneView;
  source: GeoTIFF;
  /** The layer of the main map. */
  layer: WebGLTileLayer;
  /** Statistics of the smallest overview; null when they could not be read. */
  sample: BandSample | null;
  settings(): ImagerySettings;
  /** The value range shown black … white under the current settings. */
  range(): BandRange;
  /** Shows other bands or another stretch on every layer of this scene. */
  apply(settings: ImagerySettings): void;
  /** Another layer on the same source and settings (the second view of side by side). */
  mirror(): WebGLTileLayer;
}

/**
 * Every band of the smallest overview of a COG (a central window of it on very large scenes), for
 * the stretch statistics.
 */
export async function readOverviewSample(url: string, signal?: AbortSignal): Promise<BandSample> {
  const tiff = await fromCustomClient(new QueuedClient(url), {}, signal);
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
  const rasters = await smallest.readRasters({ window, interleave: false, signal });
  return {
    values: Array.from({ length: smallest.getSamplesPerPixel() }, (_, i) => {
      return rasters[i] as ArrayLike<number>;
    }),
    nodata: smallest.getGDALNoData(),
    bitsPerSample: Number(smallest.getBitsPerSample?.(0) ?? 8),
  };
}

/** Range reads of a scene through the imagery queue, for OpenLayers' GeoTIFF source. */
export function queuedLoader(url: string, headers: HeadersInit, signal: AbortSignal) {
  return imageryQueue().fetch(url, headers, signal);
}

class QueuedResponse extends BaseResponse {
  constructor(private readonly response: Response) {
    super();
  }
  override get status(): number {
    return this.response.status;
  }
  override getHeader(name: string): string {
    return this.response.headers.get(name) ?? '';
  }
  override async getData(): Promise<ArrayBuffer> {
    return this.response.arrayBuffer();
  }
}

/** geotiff.js reads (the statistics) through the imagery queue too. */
class QueuedClient extends BaseClient {
  override async request(options?: { headers?: HeadersInit; signal?: AbortSignal }) {
    const response = await imageryQueue().fetch(this.url, options?.headers ?? {}, options?.signal);
    return new QueuedResponse(response);
  }
}

async function sampleOrNothing(scene: SceneView): Promise<BandSample | null> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), STATS_TIMEOUT_MS);
  try {
    return await readOverviewSample(scene.url, controller.signal);
  } catch (err) {
    console.warn(`LandWatch: no stretch statistics for ${scene.name}; using defaults`, err);
    return null;
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
  const sample = await sampleOrNothing(scene);
  let settings = defaultSettings(scene.bands, scene.displayBands);
  // The stretch sorts the sample per band: computed once per settings, not per layer or reader.
  let range = stretchRange(sample, settings);
  let ranges = stretchRanges(sample, settings);
  const variables = () => styleVariables(settings, ranges);
  const source = new GeoTIFF({
    sources: [{ url: scene.url, loader: queuedLoader }],
    projection,
    // Raw values: the stretch is done by the style, so it can change without a new source.
    normalize: false,
    interpolate: true,
    transition: 0,
  });
  source.on('change', () => {
    if (source.getState() === 'error') {
      const why = source.getError()?.message ?? 'unknown error';
      onError(`Could not load the ${scene.role} image “${scene.name}”: ${why}`);
    }
  });
  const layers: WebGLTileLayer[] = [];
  const makeLayer = () => {
    const layer = new WebGLTileLayer({
      source,
      className: `lw-imagery lw-imagery-${scene.role}`,
      style: { color: STRETCH_COLOR as ExpressionValue, variables: variables() },
      properties: { role: scene.role },
    });
    layers.push(layer);
    return layer;
  };
  const layer = makeLayer();
  return {
    scene,
    source,
    layer,
    sample,
    settings: () => settings,
    range: () => range,
    apply(next) {
      settings = next;
      range = stretchRange(sample, settings);
      ranges = stretchRanges(sample, settings);
      const vars = variables();
      for (const l of layers) l.updateStyleVariables(vars);
    },
    mirror: makeLayer,
  };
}

/** Releases a scene's GPU resources (every layer made for it) and stops its tile loading. */
export function disposeImagery(imagery: Imagery, mirrors: readonly WebGLTileLayer[] = []): void {
  for (const layer of [imagery.layer, ...mirrors]) layer.dispose();
  imagery.source.dispose();
}
