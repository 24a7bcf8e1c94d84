/**
 * The small tooltip that follows the pointer over a patch: number, state, kind and class, area
 * and confidence (the lines come from format.ts `hoverLines`). Positioned from the pointer's
 * client coordinates, so it works over either map of side-by-side mode.
 */
import { h, replaceChildren } from '../ui/dom.js';

export interface HoverTip {
  show(clientX: number, clientY: number, lines: readonly string[]): void;
  hide(): void;
  dispose(): void;
}

/** A tooltip inside `container` (the positioned element around the maps). */
export function createHoverTip(container: HTMLElement): HoverTip {
  const element = h('div', { class: 'hover-tip', role: 'tooltip', 'data-testid': 'hover-tip' });
  element.hidden = true;
  container.append(element);
  /** The lines on show: moving over the same patch only moves the tip, no DOM rebuild. */
  let shown = '';
  return {
    show(clientX, clientY, lines) {
      const key = lines.join('\n');
      if (key !== shown) {
        shown = key;
        replaceChildren(
          element,
          ...lines.map((line, i) => h(i === 0 ? 'strong' : 'span', {}, line)),
        );
      }
      element.hidden = false;
      const box = container.getBoundingClientRect();
      // Beside the pointer, flipped to the other side near the right and bottom edges.
      const x = clientX - box.left;
      const y = clientY - box.top;
      const flipX = x + element.offsetWidth + 24 > box.width;
      const flipY = y + element.offsetHeight + 24 > box.height;
      element.style.left = `${flipX ? x - element.offsetWidth - 12 : x + 14}px`;
      element.style.top = `${flipY ? y - element.offsetHeight - 12 : y + 14}px`;
    },
    hide() {
      element.hidden = true;
    },
    dispose: () => element.remove(),
  };
}
