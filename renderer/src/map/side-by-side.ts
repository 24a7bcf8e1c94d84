/**
 * Side-by-side comparison: a second OpenLayers map to the right of the main one, sharing its
 * `ol/View`, so panning or zooming either side moves both. The main map keeps the before date and
 * every tool; the second shows the after date and the same patches (a mirror layer of the same
 * features and styles, so the selected patch is highlighted on both sides).
 */
import OlMap from 'ol/Map.js';
import type View from 'ol/View.js';
import type Layer from 'ol/layer/Layer.js';
import type { FeatureLike } from 'ol/Feature.js';
import type MapBrowserEvent from 'ol/MapBrowserEvent.js';
import { h } from '../ui/dom.js';

/** The pointer events OpenLayers maps emit (clicks and moves come as pointer events). */
export type MapPointerEvent = MapBrowserEvent<KeyboardEvent | PointerEvent | WheelEvent>;

export interface SideBySide {
  /** The right-hand pane (hidden unless active). */
  element: HTMLElement;
  map: OlMap;
  setActive(active: boolean): void;
  isActive(): boolean;
  /** The after date's layer for the right side (a mirror of the main map's), or null. */
  setImagery(layer: Layer | null): void;
  /** Shares the main map's view; called whenever the main map gets a new one. */
  setView(view: View): void;
  dispose(): void;
}

export interface SideBySideOptions {
  /** The mirror of the patch layer. */
  patches: Layer;
  /** A click on a patch of the right side, as on the main map. */
  onPatchClick(feature: FeatureLike, event: MapPointerEvent): void;
  onPointerMove(event: MapPointerEvent): void;
  onPointerLeave(): void;
}

/**
 * Adds the right-hand pane to `container` (the element around the main map). The container gets
 * the class `side-by-side` while active; styles.css then gives each map half the width.
 */
export function createSideBySide(container: HTMLElement, options: SideBySideOptions): SideBySide {
  const target = h('div', { class: 'map-side-canvas', 'data-testid': 'map-side' });
  const tag = h('span', { class: 'compare-tag compare-tag-side' }, 'After');
  const beforeTag = h('span', { class: 'compare-tag compare-tag-side-before' }, 'Before');
  const element = h('div', { class: 'map-side-pane' }, target, tag);
  container.append(element, beforeTag);
  const map = new OlMap({ target, layers: [options.patches], controls: [] });
  options.patches.setZIndex(10);
  let imagery: Layer | null = null;
  let active = false;

  map.on('singleclick', (event) => {
    const feature = map.forEachFeatureAtPixel(event.pixel, (f) => f, {
      layerFilter: (layer) => layer === options.patches,
      hitTolerance: 3,
    });
    if (feature) options.onPatchClick(feature, event);
  });
  map.on('pointermove', (event) => {
    if (!event.dragging) options.onPointerMove(event);
  });
  target.addEventListener('pointerleave', () => options.onPointerLeave());
  const resizeObserver = new ResizeObserver(() => map.updateSize());
  resizeObserver.observe(target);

  function layout(): void {
    element.hidden = !active;
    beforeTag.hidden = !active;
    container.classList.toggle('side-by-side', active);
    map.updateSize();
  }
  layout();

  return {
    element,
    map,
    setActive(next) {
      if (next === active) return;
      active = next;
      layout();
    },
    isActive: () => active,
    setImagery(layer) {
      if (imagery) map.removeLayer(imagery);
      imagery = layer;
      if (layer) map.getLayers().insertAt(0, layer);
    },
    setView: (view) => map.setView(view),
    dispose() {
      resizeObserver.disconnect();
      map.setTarget(undefined);
      map.dispose();
      element.remove();
      beforeTag.remove();
    },
  };
}
