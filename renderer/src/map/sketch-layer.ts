/**
 * A vector layer for what the analyst sketches on the map (area of interest, measurements): its
 * own source, one style, drawn above the patches, added to the map at once.
 */
import type OlMap from 'ol/Map.js';
import VectorLayer from 'ol/layer/Vector.js';
import VectorSource from 'ol/source/Vector.js';
import type { Style } from 'ol/style.js';

export function createSketchLayer(map: OlMap, style: Style, zIndex: number, role: string) {
  const source = new VectorSource();
  const layer = new VectorLayer({ source, style, zIndex, properties: { role } });
  map.addLayer(layer);
  return { source, layer };
}
