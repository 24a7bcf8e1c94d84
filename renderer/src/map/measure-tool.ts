/**
 * The measure tool (Q): a distance (click points, double-click to end) or an area (a polygon) on
 * the map, measured in the scene CRS's plane like the patches' own areas, shown live in a label on
 * the map as metres, m² and mu. Q cycles distance → area → off; Esc ends it.
 */
import type OlMap from 'ol/Map.js';
import type { Geometry } from 'ol/geom.js';
import LineString from 'ol/geom/LineString.js';
import Polygon from 'ol/geom/Polygon.js';
import Draw from 'ol/interaction/Draw.js';
import { Fill, Stroke, Style } from 'ol/style.js';
import { formatArea, formatMu } from '../format.js';
import { h } from '../ui/dom.js';
import { createSketchLayer } from './sketch-layer.js';

export type MeasureKind = 'distance' | 'area';

const MU_M2 = 666.67;

const STYLE = new Style({
  stroke: new Stroke({ color: '#ffd400', width: 2, lineDash: [6, 4] }),
  fill: new Fill({ color: 'rgba(255, 212, 0, 0.12)' }),
});

/** What a measured geometry says: `"123.4 m"` or `"1,234 m² · 1.85 mu"` (metres per map unit). */
export function describeMeasure(geometry: Geometry, metresPerUnit = 1): string {
  if (geometry instanceof Polygon) {
    const m2 = geometry.getArea() * metresPerUnit * metresPerUnit;
    return `${formatArea(m2)} · ${formatMu(m2 / MU_M2)}`;
  }
  if (geometry instanceof LineString) {
    const m = geometry.getLength() * metresPerUnit;
    return m >= 1000 ? `${(m / 1000).toFixed(3)} km` : `${m.toFixed(1)} m`;
  }
  return '';
}

export function createMeasureTool(map: OlMap, container: HTMLElement) {
  const { source, layer } = createSketchLayer(map, STYLE, 30, 'measure');
  const label = h('div', {
    class: 'measure-label',
    'data-testid': 'measure-result',
    role: 'status',
  });
  label.hidden = true;
  container.append(label);
  let kind: MeasureKind | null = null;
  let interaction: Draw | null = null;

  const onKey = (event: KeyboardEvent) => {
    if (event.key !== 'Escape' || !kind) return;
    event.preventDefault();
    event.stopPropagation();
    set(null);
  };

  function set(next: MeasureKind | null): void {
    if (interaction) map.removeInteraction(interaction);
    interaction = null;
    kind = next;
    source.clear();
    container.dataset.measure = next ?? '';
    label.hidden = next === null;
    if (!next) {
      document.removeEventListener('keydown', onKey, true);
      return;
    }
    label.textContent =
      next === 'distance'
        ? 'Distance: click points, double-click to end'
        : 'Area: click corners, double-click to end';
    label.dataset.kind = next;
    const draw = new Draw({
      source,
      type: next === 'distance' ? 'LineString' : 'Polygon',
      style: STYLE,
    });
    draw.on('drawstart', (event) => {
      source.clear();
      const geometry = event.feature.getGeometry();
      geometry?.on('change', () => {
        label.textContent = describeMeasure(geometry);
      });
    });
    draw.on('drawend', (event) => {
      const geometry = event.feature.getGeometry();
      if (geometry) label.textContent = describeMeasure(geometry);
      label.dataset.done = 'true';
    });
    interaction = draw;
    map.addInteraction(draw);
    document.addEventListener('keydown', onKey, true);
  }

  return {
    /** Q: distance → area → off. */
    cycle(): MeasureKind | null {
      set(kind === null ? 'distance' : kind === 'distance' ? 'area' : null);
      return kind;
    },
    isActive: () => kind !== null,
    dispose() {
      set(null);
      map.removeLayer(layer);
      label.remove();
    },
  };
}
