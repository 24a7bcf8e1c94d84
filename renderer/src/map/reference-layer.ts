/**
 * Reference layers on the map (approved construction, farmland protection, parcels, plan zones):
 * one vector layer per imported layer, under the patches, styled by its kind, each shown or
 * hidden on its own. Features arrive from `reference.features` already in the scene CRS, which is
 * the view's projection, so no reprojection happens here.
 */
import Feature from 'ol/Feature.js';
import type OlMap from 'ol/Map.js';
import MultiPolygon from 'ol/geom/MultiPolygon.js';
import VectorLayer from 'ol/layer/Vector.js';
import VectorSource from 'ol/source/Vector.js';
import Fill from 'ol/style/Fill.js';
import Stroke from 'ol/style/Stroke.js';
import Style from 'ol/style/Style.js';
import type {
  ReferenceFeatureCollection,
  ReferenceKind,
} from '../../../electron/common/reference-contract.js';

/** Outline and fill colour of each kind (fills are faint: the imagery must stay readable). */
export const KIND_COLOUR: Record<ReferenceKind, string> = {
  approved_construction: '#2b8cbe',
  farmland_protection: '#31a354',
  parcels: '#f0f0f0',
  plan_zones: '#c51b8a',
  other: '#fdae6b',
};

function styleOf(kind: ReferenceKind): Style {
  const colour = KIND_COLOUR[kind];
  return new Style({
    stroke: new Stroke({ color: colour, width: 1.5, lineDash: kind === 'parcels' ? [4, 3] : [] }),
    fill: new Fill({ color: `${colour}22` }),
  });
}

/** The reference layers shown on one map. */
export interface ReferenceLayers {
  /** Shows a layer's features (replacing what was shown for that id). */
  show(layerId: string, kind: ReferenceKind, collection: ReferenceFeatureCollection): void;
  setVisible(layerId: string, visible: boolean): void;
  has(layerId: string): boolean;
  remove(layerId: string): void;
  /** Removes every layer (another project was opened). */
  clear(): void;
}

/** Reference layers drawn on `map` between the imagery (z 0–2) and the patches (z 10). */
export function createReferenceLayers(map: OlMap): ReferenceLayers {
  const layers = new Map<string, VectorLayer<VectorSource<Feature<MultiPolygon>>>>();

  const remove = (layerId: string) => {
    const layer = layers.get(layerId);
    if (!layer) return;
    map.removeLayer(layer);
    layer.getSource()?.clear();
    layer.dispose();
    layers.delete(layerId);
  };

  return {
    show(layerId, kind, collection) {
      remove(layerId);
      const source = new VectorSource<Feature<MultiPolygon>>({
        features: collection.features.map((f) => {
          const feature = new Feature(new MultiPolygon(f.geometry.coordinates));
          feature.setId(f.id);
          feature.setProperties(f.properties);
          return feature;
        }),
      });
      const layer = new VectorLayer({
        source,
        style: styleOf(kind),
        className: 'lw-reference',
        properties: { role: 'reference', layerId },
        zIndex: 5,
      });
      layers.set(layerId, layer);
      map.addLayer(layer);
    },
    setVisible(layerId, visible) {
      layers.get(layerId)?.setVisible(visible);
    },
    has: (layerId) => layers.has(layerId),
    remove,
    clear() {
      for (const id of [...layers.keys()]) remove(id);
    },
  };
}
