/**
 * Before/after comparison. Swipe: the after layer is clipped to the right of a draggable vertical
 * divider, in the layer's `prerender`/`postrender` (scissor test for WebGL layers, a clip path for
 * canvas ones). Blend: the after layer is drawn whole with the opacity of a slider. Flicker: one
 * date at a time, the other shown at a key press, so the eye catches what changed. Side by side
 * (side-by-side.ts) only hides the after layer here.
 */
import type Map from 'ol/Map.js';
import type Layer from 'ol/layer/Layer.js';
import type RenderEvent from 'ol/render/Event.js';
import { getRenderPixel } from 'ol/render.js';
import type { CompareMode } from '../state.js';
import { h } from '../ui/dom.js';

export interface Compare {
  /** The layer to clip; swapped when a project with new imagery opens. */
  setLayer(layer: Layer | null): void;
  setMode(mode: CompareMode): void;
  /** In flicker mode: show the other date. */
  flicker(): void;
  dispose(): void;
}

function isWebGL(ctx: unknown): ctx is WebGLRenderingContext | WebGL2RenderingContext {
  return (
    (typeof WebGLRenderingContext !== 'undefined' && ctx instanceof WebGLRenderingContext) ||
    (typeof WebGL2RenderingContext !== 'undefined' && ctx instanceof WebGL2RenderingContext)
  );
}

/**
 * Adds the comparison controls to `container` (the element around the map) and clips layers of
 * `map`. Position starts in the middle; blend opacity at 50 %.
 */
export function createCompare(map: Map, container: HTMLElement): Compare {
  let mode: CompareMode = 'swipe';
  let position = 0.5;
  let blend = 0.5;
  let showAfter = true;
  let layer: Layer | null = null;

  const handle = h('div', { class: 'swipe-handle', title: 'Drag to compare before / after' });
  const divider = h(
    'div',
    {
      class: 'swipe-divider',
      role: 'slider',
      'aria-label': 'Swipe position',
      'aria-valuemin': '0',
      'aria-valuemax': '100',
      tabindex: '0',
      'data-testid': 'swipe-divider',
    },
    handle,
  );
  const beforeTag = h('span', { class: 'compare-tag compare-tag-before' }, 'Before');
  const afterTag = h('span', { class: 'compare-tag compare-tag-after' }, 'After');
  const flickerTag = h(
    'span',
    { class: 'compare-tag compare-tag-flicker', 'data-testid': 'flicker-date' },
    'After',
  );
  const slider = h('input', {
    type: 'range',
    min: '0',
    max: '100',
    value: String(blend * 100),
    'aria-label': 'After image opacity',
    'data-testid': 'blend-slider',
  });
  const blendBox = h(
    'label',
    { class: 'blend-box' },
    h('span', {}, 'Before'),
    slider,
    h('span', {}, 'After'),
  );
  container.append(divider, beforeTag, afterTag, flickerTag, blendBox);

  function layout(): void {
    const swipe = mode === 'swipe';
    divider.hidden = !swipe;
    beforeTag.hidden = !swipe;
    afterTag.hidden = !swipe;
    blendBox.hidden = mode !== 'blend';
    flickerTag.hidden = mode !== 'flicker';
    flickerTag.textContent = `${showAfter ? 'After' : 'Before'} (T to flicker)`;
    divider.style.left = `${position * 100}%`;
    divider.setAttribute('aria-valuenow', String(Math.round(position * 100)));
    layer?.setOpacity(swipe ? 1 : mode === 'blend' ? blend : showAfter ? 1 : 0);
    // Side by side: the main map is the before date; the after date has its own map.
    layer?.setVisible(mode !== 'side');
    map.render();
  }

  const prerender = (event: RenderEvent) => {
    if (mode !== 'swipe') return;
    const size = map.getSize();
    const ctx = event.context;
    if (!size || !ctx) return;
    const x = size[0] * position;
    if (isWebGL(ctx)) {
      const bottomLeft = getRenderPixel(event, [x, size[1]]);
      const topRight = getRenderPixel(event, [size[0], 0]);
      ctx.enable(ctx.SCISSOR_TEST);
      ctx.scissor(
        Math.round(bottomLeft[0]),
        Math.round(bottomLeft[1]),
        Math.max(0, Math.round(topRight[0] - bottomLeft[0])),
        Math.max(0, Math.round(topRight[1] - bottomLeft[1])),
      );
    } else {
      const corners = [
        [x, 0],
        [size[0], 0],
        [size[0], size[1]],
        [x, size[1]],
      ].map((pixel) => getRenderPixel(event, pixel));
      ctx.save();
      ctx.beginPath();
      ctx.moveTo(corners[0][0], corners[0][1]);
      for (const corner of corners.slice(1)) ctx.lineTo(corner[0], corner[1]);
      ctx.closePath();
      ctx.clip();
    }
  };

  const postrender = (event: RenderEvent) => {
    if (mode !== 'swipe') return;
    const ctx = event.context;
    if (!ctx) return;
    if (isWebGL(ctx)) ctx.disable(ctx.SCISSOR_TEST);
    else ctx.restore();
  };

  function moveTo(clientX: number): void {
    const rect = container.getBoundingClientRect();
    if (rect.width <= 0) return;
    position = Math.min(1, Math.max(0, (clientX - rect.left) / rect.width));
    layout();
  }

  divider.addEventListener('pointerdown', (event) => {
    divider.setPointerCapture(event.pointerId);
    event.preventDefault();
  });
  divider.addEventListener('pointermove', (event) => {
    if (divider.hasPointerCapture(event.pointerId)) moveTo(event.clientX);
  });
  divider.addEventListener('keydown', (event) => {
    const step = event.shiftKey ? 0.1 : 0.02;
    if (event.key === 'ArrowLeft') position = Math.max(0, position - step);
    else if (event.key === 'ArrowRight') position = Math.min(1, position + step);
    else return;
    event.preventDefault();
    event.stopPropagation();
    layout();
  });
  slider.addEventListener('input', () => {
    blend = Number(slider.value) / 100;
    layout();
  });

  function attach(next: Layer | null): void {
    if (layer) {
      layer.un('prerender', prerender);
      layer.un('postrender', postrender);
      layer.setOpacity(1);
      layer.setVisible(true);
    }
    layer = next;
    if (layer) {
      layer.on('prerender', prerender);
      layer.on('postrender', postrender);
    }
    layout();
  }

  layout();
  return {
    setLayer: attach,
    setMode(next) {
      if (next === mode) return;
      mode = next;
      showAfter = true;
      layout();
    },
    flicker() {
      showAfter = !showAfter;
      layout();
    },
    dispose() {
      attach(null);
      divider.remove();
      beforeTag.remove();
      afterTag.remove();
      flickerTag.remove();
      blendBox.remove();
    },
  };
}
