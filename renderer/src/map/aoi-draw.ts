/**
 * The area of interest of a detection, drawn on the map: a rectangle (drag) or a polygon (click the
 * corners, double-click to end), shown as a dashed outline until the detection dialog clears it.
 * Esc while drawing gives up and leaves the previous area as it was.
 */
import type OlMap from 'ol/Map.js';
import Feature from 'ol/Feature.js';
import Polygon from 'ol/geom/Polygon.js';
import Draw, { createBox } from 'ol/interaction/Draw.js';
import { Fill, Stroke, Style } from 'ol/style.js';
import { createSketchLayer } from './sketch-layer.js';

export type AoiShape = 'box' | 'polygon';

export interface AoiDraw {
  /** Lets the analyst draw; resolves to the rings in the scene CRS, or null after Esc. */
  draw(shape: AoiShape): Promise<number[][][] | null>;
  /** Shows an area (null: none). */
  show(rings: number[][][] | null): void;
  isDrawing(): boolean;
  dispose(): void;
}

const STYLE = new Style({
  stroke: new Stroke({ color: '#00e5ff', width: 2, lineDash: [8, 6] }),
  fill: new Fill({ color: 'rgba(0, 229, 255, 0.06)' }),
});

export function createAoiDraw(map: OlMap): AoiDraw {
  const { source, layer } = createSketchLayer(map, STYLE, 20, 'aoi');
  let active: { interaction: Draw; finish(rings: number[][][] | null): void } | null = null;

  function show(rings: number[][][] | null): void {
    source.clear();
    if (rings) source.addFeature(new Feature(new Polygon(rings)));
  }

  function draw(shape: AoiShape): Promise<number[][][] | null> {
    active?.finish(null);
    return new Promise((resolve) => {
      const interaction =
        shape === 'box'
          ? new Draw({ type: 'Circle', geometryFunction: createBox(), style: STYLE })
          : new Draw({ type: 'Polygon', style: STYLE });
      const onKey = (event: KeyboardEvent) => {
        if (event.key !== 'Escape') return;
        // Ours alone: Esc must not also close a dialog or leave an edit tool.
        event.preventDefault();
        event.stopPropagation();
        finish(null);
      };
      const finish = (rings: number[][][] | null) => {
        document.removeEventListener('keydown', onKey, true);
        map.removeInteraction(interaction);
        active = null;
        if (rings) show(rings);
        resolve(rings);
      };
      interaction.on('drawend', (event) => {
        const geometry = event.feature.getGeometry() as Polygon;
        finish(geometry.getCoordinates());
      });
      document.addEventListener('keydown', onKey, true);
      map.addInteraction(interaction);
      active = { interaction, finish };
    });
  }

  return {
    draw,
    show,
    isDrawing: () => active !== null,
    dispose() {
      active?.finish(null);
      map.removeLayer(layer);
      layer.dispose();
    },
  };
}
