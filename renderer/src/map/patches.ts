/**
 * The change polygons on the map: one vector feature per patch (geometry already in the scene
 * CRS, which is the view's projection), styled by review state, the selected one highlighted.
 */
import VectorLayer from 'ol/layer/Vector.js';
import VectorSource from 'ol/source/Vector.js';
import Feature from 'ol/Feature.js';
import GeoJSON from 'ol/format/GeoJSON.js';
import { Fill, Stroke, Style, Text } from 'ol/style.js';
import type { FeatureLike } from 'ol/Feature.js';
import type Geometry from 'ol/geom/Geometry.js';
import type { PatchView, ReviewState } from '../../../electron/common/contract.js';

interface StateLook {
  stroke: string;
  fill: string;
  width: number;
  dash?: number[];
}

/** Colours by review state: unreviewed yellow, confirmed red, rejected grey dashed, field orange. */
export const STATE_LOOK: Record<ReviewState, StateLook> = {
  unreviewed: { stroke: '#ffd400', fill: 'rgba(255, 212, 0, 0.06)', width: 2 },
  confirmed: { stroke: '#e53935', fill: 'rgba(229, 57, 53, 0.18)', width: 2 },
  rejected: { stroke: '#9e9e9e', fill: 'rgba(158, 158, 158, 0.05)', width: 1.5, dash: [6, 4] },
  field_check: { stroke: '#fb8c00', fill: 'rgba(251, 140, 0, 0.14)', width: 2 },
};

const format = new GeoJSON();

function stateStyle(state: ReviewState, selected: boolean): Style {
  const look = STATE_LOOK[state];
  return new Style({
    stroke: new Stroke({
      color: look.stroke,
      width: selected ? look.width + 1.5 : look.width,
      lineDash: look.dash,
    }),
    fill: new Fill({ color: look.fill }),
    zIndex: selected ? 2 : 1,
  });
}

const HALO = new Style({
  stroke: new Stroke({ color: 'rgba(0, 229, 255, 0.95)', width: 7 }),
  zIndex: 2,
});

const baseStyles = new Map<string, Style>();
function cachedStyle(state: ReviewState, selected: boolean): Style {
  const key = `${state}:${selected}`;
  let style = baseStyles.get(key);
  if (!style) {
    style = stateStyle(state, selected);
    baseStyles.set(key, style);
  }
  return style;
}

function label(text: string, selected: boolean): Style {
  return new Style({
    text: new Text({
      text,
      font: `${selected ? 'bold ' : ''}12px system-ui, sans-serif`,
      fill: new Fill({ color: '#111' }),
      stroke: new Stroke({ color: 'rgba(255,255,255,0.9)', width: 3 }),
      overflow: true,
    }),
    zIndex: 3,
  });
}

export interface PatchLayer {
  layer: VectorLayer<VectorSource<Feature<Geometry>>>;
  setPatches(patches: readonly PatchView[]): void;
  setSelected(id: string | null): void;
  /** Extent of a patch in the scene CRS, or null if it is not on the map. */
  extentOf(id: string): number[] | null;
  /** Numbers are drawn when zoomed in beyond this resolution (map units per pixel). */
  setLabelResolution(resolution: number): void;
}

export function createPatchLayer(): PatchLayer {
  const source = new VectorSource<Feature<Geometry>>();
  let selectedId: string | null = null;
  let labelResolution = 0;

  const styleFn = (feature: FeatureLike, resolution: number): Style[] => {
    const state = feature.get('state') as ReviewState;
    const selected = feature.getId() === selectedId;
    const styles = selected ? [HALO, cachedStyle(state, true)] : [cachedStyle(state, false)];
    if (selected || resolution <= labelResolution) {
      styles.push(label(`#${String(feature.get('number'))}`, selected));
    }
    return styles;
  };

  const layer = new VectorLayer({
    source,
    style: styleFn,
    className: 'lw-patches',
    updateWhileInteracting: true,
    properties: { role: 'patches' },
  });

  return {
    layer,
    setPatches(patches) {
      // A review changes one patch's state: restyle in place instead of rebuilding every feature.
      const sameSet =
        patches.length === source.getFeatures().length &&
        patches.every((patch) => source.getFeatureById(patch.id) !== null);
      if (sameSet) {
        for (const patch of patches) {
          const feature = source.getFeatureById(patch.id);
          if (feature && feature.get('state') !== patch.state) feature.set('state', patch.state);
        }
        return;
      }
      const features = patches.map((patch) => {
        const geometry = format.readGeometry(patch.geometry) as Geometry;
        const feature = new Feature<Geometry>({
          geometry,
          state: patch.state,
          number: patch.number,
        });
        feature.setId(patch.id);
        return feature;
      });
      source.clear(true);
      source.addFeatures(features);
    },
    setSelected(id) {
      if (id === selectedId) return;
      selectedId = id;
      layer.changed();
    },
    extentOf(id) {
      const geometry = source.getFeatureById(id)?.getGeometry();
      return geometry ? geometry.getExtent() : null;
    },
    setLabelResolution(resolution) {
      labelResolution = resolution;
      layer.changed();
    },
  };
}
