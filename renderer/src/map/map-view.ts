/**
 * The map: before imagery, after imagery (swipe / blend / flicker, or a second synchronised map
 * side by side), the optional probability heat layer and the patch polygons on top, all in the
 * scene CRS; hover details and the detection's area of interest. Owns its OpenLayers objects and
 * disposes the imagery of a project it replaces.
 */
import OlMap from 'ol/Map.js';
import View from 'ol/View.js';
import ScaleLine from 'ol/control/ScaleLine.js';
import Zoom from 'ol/control/Zoom.js';
import { buffer, getHeight, getWidth, type Extent } from 'ol/extent.js';
import type { Coordinate } from 'ol/coordinate.js';
import type WebGLTileLayer from 'ol/layer/WebGLTile.js';
import type { FeatureLike } from 'ol/Feature.js';
import type { PatchView, ProjectView } from '../../../electron/common/contract.js';
import type { CompareMode, EditMode } from '../state.js';
import { createAoiDraw, type AoiShape } from './aoi-draw.js';
import { createMeasureTool } from './measure-tool.js';
import { createEditTools, type EditToolOptions } from './edit-tools.js';
import { createHeatLayer } from './heat-layer.js';
import { createHoverTip } from './hover-tip.js';
import { createImagery, disposeImagery, type Imagery } from './imagery.js';
import { createPatchLayer } from './patches.js';
import { createReferenceLayers, type ReferenceLayers } from './reference-layer.js';
import { lonLatOf, sceneProjection, type SceneProjection } from './projection.js';
import { createSideBySide, type MapPointerEvent } from './side-by-side.js';
import { createCompare } from './swipe.js';
import { h } from '../ui/dom.js';

/** Where the pointer is, in the scene CRS and (when the CRS allows) lon/lat. */
export interface CursorPosition {
  x: number;
  y: number;
  lonLat: Coordinate | null;
}

export interface MapViewOptions extends EditToolOptions {
  onSelect(patchId: string): void;
  /** Shift-click on a patch: mark it for a merge. */
  onMark(patchId: string): void;
  onCursor(position: CursorPosition | null): void;
  onError(message: string): void;
  /** The lines of a patch's hover tooltip. */
  describePatch(patch: PatchView): string[];
  /** Both dates' imagery is ready (or replaced): the imagery panel can show their settings. */
  onImagery(imagery: { before: Imagery; after: Imagery } | null): void;
}

export interface MapView {
  element: HTMLElement;
  /** Imported reference layers (approved construction, farmland, …) under the patches. */
  reference: ReferenceLayers;
  /**
   * Shows a project: its scene's view, and its imagery unless a scene's display copy is still
   * pending (display-prep.ts). `keepView`: only (re)load the imagery, leaving the view as it is.
   */
  showProject(project: ProjectView, keepView?: boolean): Promise<void>;
  setPatches(patches: readonly PatchView[]): void;
  /** Redraws every patch from `patches` (after a refused edit left the map out of step). */
  resetPatches(patches: readonly PatchView[]): void;
  setSelected(id: string | null): void;
  setMarked(ids: readonly string[]): void;
  /** Switches the map tool (select, modify, draw, split). */
  setEditMode(mode: EditMode, selectedId: string | null): void;
  zoomToPatch(id: string): void;
  /** Q: measure a distance, then an area, then off; returns what is measured now. */
  cycleMeasure(): 'distance' | 'area' | null;
  /** Centres the map on a scene coordinate (go to x, y). */
  centerOn(coordinate: Coordinate): void;
  /** Screen pixel (relative to the map) of a scene coordinate; for tests and overlays. */
  pixelOf(coordinate: Coordinate): number[] | null;
  setCompareMode(mode: CompareMode): void;
  /** Flicker mode: show the other date. */
  flicker(): void;
  /** Shows the probability GeoTIFF at `url` as a heat layer; null hides it. */
  setHeat(url: string | null): void;
  /** Draws the detection's area of interest; null when the analyst pressed Esc. */
  drawAoi(shape: AoiShape): Promise<number[][][] | null>;
  /** Shows (or with null, removes) the area of interest. */
  showAoi(rings: number[][][] | null): void;
  dispose(): void;
}

/** Native pixel size of a scene in map units. */
function nativeResolution(extent: Extent, width: number): number {
  return getWidth(extent) / Math.max(1, width);
}

export function createMapView(options: MapViewOptions): MapView {
  const target = h('div', { class: 'map-canvas' });
  const element = h('div', { class: 'map', 'data-testid': 'map' }, target);
  const patchLayer = createPatchLayer();
  const map = new OlMap({
    target,
    layers: [patchLayer.layer],
    controls: [new Zoom(), new ScaleLine({ units: 'metric' })],
  });
  patchLayer.layer.setZIndex(10);
  const compare = createCompare(map, element);
  const editTools = createEditTools(map, patchLayer.source, options);
  const heat = createHeatLayer(map, options.onError);
  const aoi = createAoiDraw(map);
  const measure = createMeasureTool(map, element);
  const hoverTip = createHoverTip(element);
  const reference = createReferenceLayers(map);
  let editMode: EditMode = 'select';

  function onPatchClick(feature: FeatureLike, event: MapPointerEvent): void {
    const id = feature.getId();
    if (id === undefined) return;
    if (event.originalEvent.shiftKey) options.onMark(String(id));
    else options.onSelect(String(id));
  }

  /** Cursor position and hover details, from whichever map the pointer is over. */
  function onPointer(on: OlMap, event: MapPointerEvent, layer: unknown): void {
    const [x, y] = event.coordinate;
    options.onCursor({ x, y, lonLat: sceneProj ? lonLatOf(event.coordinate, sceneProj) : null });
    const feature = on.forEachFeatureAtPixel(event.pixel, (f) => f, {
      layerFilter: (l) => l === layer,
      hitTolerance: 3,
    });
    const patch = feature ? patchLayer.patchOf(String(feature.getId())) : null;
    if (!patch) return hoverTip.hide();
    const pointer = event.originalEvent;
    if (!('clientX' in pointer)) return;
    hoverTip.show(pointer.clientX, pointer.clientY, options.describePatch(patch));
  }

  const sideMirror = patchLayer.mirror();
  const side = createSideBySide(element, {
    patches: sideMirror,
    onPatchClick,
    onPointerMove: (event) => onPointer(side.map, event, sideMirror),
    onPointerLeave: () => {
      hoverTip.hide();
      options.onCursor(null);
    },
  });

  let imagery: Imagery[] = [];
  let afterMirror: WebGLTileLayer | null = null;
  let sceneProj: SceneProjection | null = null;
  let native = 1;
  let loadToken = 0;

  // The map element is laid out by CSS; tell OpenLayers whenever its size changes.
  const resizeObserver = new ResizeObserver(() => map.updateSize());
  resizeObserver.observe(target);

  // `data-imagery`: `shown` once both dates have drawn a tile (coarse ones come first), `ready`
  // once every tile of the first view has been drawn (the bench and e2e tests time both).
  let tilesLoaded = new Set<string>();
  map.on('postrender', () => {
    if (element.dataset.imagery === 'loading' && tilesLoaded.size === 2) {
      element.dataset.imagery = 'shown';
    }
  });
  map.on('rendercomplete', () => {
    const state = element.dataset.imagery;
    if (imagery.length > 0 && (state === 'loading' || state === 'shown')) {
      element.dataset.imagery = 'ready';
    }
  });

  map.on('pointermove', (event) => {
    if (!event.dragging) onPointer(map, event, patchLayer.layer);
  });
  target.addEventListener('pointerleave', () => {
    hoverTip.hide();
    options.onCursor(null);
  });

  map.on('singleclick', (event) => {
    if (editMode === 'draw' || editMode === 'split' || aoi.isDrawing() || measure.isActive()) {
      return;
    }
    const feature = map.forEachFeatureAtPixel(event.pixel, (f) => f, {
      layerFilter: (layer) => layer === patchLayer.layer,
      hitTolerance: 3,
    });
    if (feature) onPatchClick(feature, event);
  });

  function clearImagery(): void {
    side.setImagery(null);
    for (const item of imagery) {
      map.removeLayer(item.layer);
      disposeImagery(item, item.scene.role === 'after' && afterMirror ? [afterMirror] : []);
    }
    imagery = [];
    afterMirror = null;
    compare.setLayer(null);
    heat.show(null, null);
    element.dataset.imagery = 'none';
    options.onImagery(null);
  }

  async function showProject(project: ProjectView, keepView = false): Promise<void> {
    const token = ++loadToken;
    const { before, after } = project.scenes;
    clearImagery();
    sceneProj = sceneProjection(before);
    if (after.crs !== before.crs) sceneProjection(after);
    native = nativeResolution(before.extent, before.width);
    patchLayer.setLabelResolution(native * 1.5);

    // Provisional view from the scene metadata, so patches show while the imagery loads.
    if (!keepView) setView(sceneProj, before.extent);
    if (before.display === 'pending' || after.display === 'pending') return;
    element.dataset.imagery = 'loading';
    tilesLoaded = new Set();

    const [beforeImagery, afterImagery] = await Promise.all([
      createImagery(before, sceneProj.projection, options.onError),
      createImagery(after, sceneProj.projection, options.onError),
    ]);
    if (token !== loadToken) {
      disposeImagery(beforeImagery);
      disposeImagery(afterImagery);
      return;
    }
    imagery = [beforeImagery, afterImagery];
    for (const item of imagery) {
      item.source.once('tileloadend', () => tilesLoaded.add(item.scene.role));
    }
    beforeImagery.layer.setZIndex(0);
    afterImagery.layer.setZIndex(1);
    map.addLayer(beforeImagery.layer);
    map.addLayer(afterImagery.layer);
    compare.setLayer(afterImagery.layer);
    afterMirror = afterImagery.mirror();
    side.setImagery(afterMirror);
    options.onImagery({ before: beforeImagery, after: afterImagery });

    // The real view comes from the before source (its projection and extent as read from the COG).
    if (keepView) return;
    try {
      const config = await beforeImagery.source.getView();
      if (token !== loadToken || !sceneProj) return;
      const extent = (config.extent as Extent | undefined) ?? before.extent;
      const projection = config.projection ?? sceneProj.projection;
      if (projection !== sceneProj.projection) {
        console.warn('LandWatch: the before image CRS differs from the project CRS', projection);
      }
      setView(sceneProj, extent);
    } catch (err) {
      options.onError(
        `Could not read the before image “${before.name}”: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }

  function setView(proj: SceneProjection, extent: Extent): void {
    const span = Math.max(getWidth(extent), getHeight(extent));
    const view = new View({
      projection: proj.projection,
      extent: buffer(extent, span * 0.5),
      constrainOnlyCenter: true,
      showFullExtent: true,
      minResolution: native / 8,
      maxResolution: (span / 256) * 2,
      enableRotation: false,
    });
    map.setView(view);
    side.setView(view);
    view.fit(extent, { padding: [16, 16, 16, 16], size: map.getSize() });
  }

  return {
    element,
    reference,
    showProject,
    setPatches: (patches) => patchLayer.setPatches(patches),
    resetPatches(patches) {
      patchLayer.setPatches([]);
      patchLayer.setPatches(patches);
    },
    setSelected: (id) => patchLayer.setSelected(id),
    setMarked: (ids) => patchLayer.setMarked(ids),
    setEditMode(mode, selectedId) {
      editMode = mode;
      element.dataset.tool = mode;
      editTools.setMode(mode, selectedId);
    },
    pixelOf: (coordinate) => map.getPixelFromCoordinate(coordinate) ?? null,
    cycleMeasure: () => measure.cycle(),
    centerOn: (coordinate) => map.getView().animate({ center: coordinate, duration: 200 }),
    zoomToPatch(id) {
      const extent = patchLayer.extentOf(id);
      if (!extent) return;
      // Margin: half the patch size, at least 30 native pixels, so context stays visible.
      const margin = Math.max(getWidth(extent), getHeight(extent), native * 60) * 0.5;
      map.getView().fit(buffer(extent, margin), {
        duration: 200,
        padding: [24, 24, 24, 24],
        minResolution: native / 4,
      });
    },
    setCompareMode(mode) {
      compare.setMode(mode);
      side.setActive(mode === 'side');
    },
    flicker: () => compare.flicker(),
    setHeat: (url) => heat.show(url, sceneProj?.projection ?? null),
    drawAoi: (shape) => aoi.draw(shape),
    showAoi: (rings) => aoi.show(rings),
    dispose() {
      resizeObserver.disconnect();
      editTools.dispose();
      clearImagery();
      reference.clear();
      heat.dispose();
      aoi.dispose();
      measure.dispose();
      hoverTip.dispose();
      side.dispose();
      compare.dispose();
      map.setTarget(undefined);
      map.dispose();
    },
  };
}
