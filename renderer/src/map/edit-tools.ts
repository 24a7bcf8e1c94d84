/**
 * Editing on the map with OpenLayers interactions: move vertices of the selected patch (Modify,
 * snapping to every patch's vertices and edges, its own included), draw a new patch and draw a
 * split line (Draw, snapping too). Each finished gesture is handed to the app, which sends it
 * through the API; the map shows the stored result when the answer comes back. Owns its
 * interactions and removes them when the tool changes or it is disposed.
 */
import Collection from 'ol/Collection.js';
import type Feature from 'ol/Feature.js';
import type OlMap from 'ol/Map.js';
import type Geometry from 'ol/geom/Geometry.js';
import type LineString from 'ol/geom/LineString.js';
import type MultiPolygon from 'ol/geom/MultiPolygon.js';
import type Polygon from 'ol/geom/Polygon.js';
import Draw from 'ol/interaction/Draw.js';
import type Interaction from 'ol/interaction/Interaction.js';
import Modify from 'ol/interaction/Modify.js';
import Snap from 'ol/interaction/Snap.js';
import type VectorSource from 'ol/source/Vector.js';
import type { EditMode } from '../state.js';

/** Polygon rings (GeoJSON order: outer first) in the scene CRS. */
export type Rings = number[][][];

export interface EditToolOptions {
  onGeometry(patchId: string, rings: Rings): void;
  onCreate(rings: Rings): void;
  onSplit(patchId: string, line: number[][]): void;
  onError(message: string): void;
}

export interface EditTools {
  /** Switches the tool; `modify` and `split` act on `selectedId`. */
  setMode(mode: EditMode, selectedId: string | null): void;
  dispose(): void;
}

/** The rings of a single polygon (a MultiPolygon with one part counts), or null. */
export function ringsOf(geometry: Geometry | undefined): Rings | null {
  if (!geometry) return null;
  if (geometry.getType() === 'Polygon') return (geometry as Polygon).getCoordinates();
  if (geometry.getType() === 'MultiPolygon') {
    const parts = (geometry as MultiPolygon).getCoordinates();
    return parts.length === 1 ? parts[0] : null;
  }
  return null;
}

export function createEditTools(
  map: OlMap,
  source: VectorSource<Feature<Geometry>>,
  options: EditToolOptions,
): EditTools {
  let active: Interaction[] = [];

  function clear(): void {
    for (const interaction of active) {
      map.removeInteraction(interaction);
      interaction.dispose();
    }
    active = [];
  }

  function use(...interactions: Interaction[]): void {
    // Snap goes last: interactions added later handle events first.
    for (const interaction of interactions) map.addInteraction(interaction);
    active = interactions;
  }

  function modify(id: string): void {
    const feature = source.getFeatureById(id);
    if (!feature) return;
    const modifyInteraction = new Modify({
      features: new Collection([feature]),
      pixelTolerance: 10,
    });
    modifyInteraction.on('modifyend', () => {
      const rings = ringsOf(feature.getGeometry());
      if (!rings) options.onError('Only single polygons can be edited vertex by vertex.');
      else options.onGeometry(id, rings);
    });
    use(modifyInteraction, new Snap({ source, pixelTolerance: 8 }));
  }

  function draw(type: 'Polygon' | 'LineString', done: (geometry: Geometry) => void): void {
    const drawInteraction = new Draw({ type, stopClick: true });
    drawInteraction.on('drawend', (event) => {
      const geometry = event.feature.getGeometry();
      if (geometry) done(geometry);
    });
    use(drawInteraction, new Snap({ source, pixelTolerance: 8 }));
  }

  return {
    setMode(mode, selectedId) {
      clear();
      if (mode === 'modify' && selectedId) modify(selectedId);
      if (mode === 'draw') {
        draw('Polygon', (g) => options.onCreate((g as Polygon).getCoordinates()));
      }
      if (mode === 'split' && selectedId) {
        draw('LineString', (g) => options.onSplit(selectedId, (g as LineString).getCoordinates()));
      }
    },
    dispose: clear,
  };
}
