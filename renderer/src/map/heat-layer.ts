/**
 * The run's change probability as an optional heat layer: the probability GeoTIFF the engine kept
 * (a tiled uint8 raster, value = p × 255, on the processed window's grid) read by range requests
 * through `RunView.probabilityUrl`, coloured by {@link heatColor} with low values transparent.
 */
import type OlMap from 'ol/Map.js';
import type Projection from 'ol/proj/Projection.js';
import GeoTIFF from 'ol/source/GeoTIFF.js';
import WebGLTileLayer from 'ol/layer/WebGLTile.js';
import type { ExpressionValue } from 'ol/expr/expression.js';
import { queuedLoader } from './imagery.js';
import { heatColor } from './stretch.js';

export interface HeatLayer {
  /** Shows the raster at `url` (null hides the layer and frees it). */
  show(url: string | null, projection: Projection | null): void;
  dispose(): void;
}

/** Heat layer over the imagery and under the patches of `map`. */
export function createHeatLayer(map: OlMap, onError: (message: string) => void): HeatLayer {
  let current: { url: string; layer: WebGLTileLayer; source: GeoTIFF } | null = null;

  function clear(): void {
    if (!current) return;
    map.removeLayer(current.layer);
    current.layer.dispose();
    current.source.dispose();
    current = null;
  }

  return {
    show(url, projection) {
      if (url === current?.url) return;
      clear();
      if (!url || !projection) return;
      const source = new GeoTIFF({
        sources: [{ url, loader: queuedLoader }],
        projection,
        normalize: false,
        interpolate: false,
        transition: 0,
      });
      source.on('change', () => {
        if (source.getState() === 'error') {
          onError(`Could not load the probability raster: ${source.getError()?.message ?? url}`);
        }
      });
      const layer = new WebGLTileLayer({
        source,
        className: 'lw-heat',
        style: { color: heatColor() as ExpressionValue },
        properties: { role: 'heat' },
        zIndex: 5,
      });
      map.addLayer(layer);
      current = { url, layer, source };
    },
    dispose: clear,
  };
}
