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

const MARK = new Style({
  stroke: new Stroke({ color: '#7e57c2', width: 4, lineDash: [2, 4] }),
  zIndex: 2,
});

export interface PatchLayer {
  layer: VectorLayer<VectorSource<Feature<Geometry>>>;
  source: VectorSource<Feature<Geometry>>;
  /** Patches marked for a merge (shift-click). */
  setMarked(ids: readonly string[]): void;
  setPatches(patches: readonly PatchView[]): void;
  setSelected(id: string | null): void;
  /** Extent of a patch in the scene CRS, or null if it is not on the map. */
  extentOf(id: string): number[] | null;
  /** Numbers are drawn when zoomed in beyond this resolution (map units per pixel). */
  setLabelResolution(resolution: number): void;
  /** The patch a feature was drawn from (for hover details). */
  patchOf(id: string): PatchView | null;
  /**
   * Another layer drawing the same features with the same styles (selection, marks, labels), for
   * a second map: OpenLayers draws a layer in one map only.
   */
  mirror(): VectorLayer<VectorSource<Feature<Geometry>>>;
}

export function createPatchLayer(): PatchLayer {
  const source = new VectorSource<Feature<Geometry>>();
  let selectedId: string | null = null;
  let marked = new Set<string>();
  let labelResolution = 0;
  /** The PatchView each feature was built from, to update only what changed. */
  const shown = new Map<string, PatchView>();

  const styleFn = (feature: FeatureLike, resolution: number): Style[] => {
    const state = feature.get('state') as ReviewState;
    const selected = feature.getId() === selectedId;
    const styles = selected ? [HALO, cachedStyle(state, true)] : [cachedStyle(state, false)];
    if (marked.has(String(feature.getId()))) styles.push(MARK);
    if (selected || resolution <= labelResolution) {
      styles.push(label(`#${String(feature.get('number'))}`, selected));
    }
    return styles;
  };

  const makeLayer = () =>
    new VectorLayer({
      source,
      style: styleFn,
      className: 'lw-patches',
      updateWhileInteracting: true,
      properties: { role: 'patches' },
    });
  const layer = makeLayer();
  const mirrors: VectorLayer<VectorSource<Feature<Geometry>>>[] = [];
  // Style changes (selection, marks) redraw every layer showing the patches.
  const changed = () => {
    layer.changed();
    for (const m of mirrors) m.changed();
  };

  return {
    layer,
    source,
    setPatches(patches) {
      // Edits and reviews touch a few patches: update those features in place (a new PatchView
      // object means the patch changed), add the new ones, drop the gone ones.
      const next = new Set<string>();
      const added: Feature<Geometry>[] = [];
      for (const patch of patches) {
        next.add(patch.id);
        const before = shown.get(patch.id);
        if (before === patch) continue;
        shown.set(patch.id, patch);
        const feature = before ? source.getFeatureById(patch.id) : null;
        if (!feature) {
          const created = new Feature<Geometry>({
            geometry: format.readGeometry(patch.geometry) as Geometry,
            state: patch.state,
            number: patch.number,
          });
          created.setId(patch.id);
          added.push(created);
          continue;
        }
        if (before?.geometry !== patch.geometry) {
          feature.setGeometry(format.readGeometry(patch.geometry) as Geometry);
        }
        if (feature.get('state') !== patch.state) feature.set('state', patch.state);
        if (feature.get('number') !== patch.number) feature.set('number', patch.number);
      }
      for (const id of [...shown.keys()]) {
        if (next.has(id)) continue;
        shown.delete(id);
        const feature = source.getFeatureById(id);
        if (feature) source.removeFeature(feature);
      }
      if (added.length > 0) source.addFeatures(added);
    },
    setMarked(ids) {
      marked = new Set(ids);
      changed();
    },
    setSelected(id) {
      if (id === selectedId) return;
      selectedId = id;
      changed();
    },
    extentOf(id) {
      const geometry = source.getFeatureById(id)?.getGeometry();
      return geometry ? geometry.getExtent() : null;
    },
    setLabelResolution(resolution) {
      labelResolution = resolution;
      changed();
    },
    patchOf: (id) => shown.get(id) ?? null,
    mirror() {
      const m = makeLayer();
      mirrors.push(m);
      return m;
    },
  };
}
