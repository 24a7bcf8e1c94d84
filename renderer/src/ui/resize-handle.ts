/**
 * A grip under a panel that the analyst drags to make it taller or shorter (e.g. the queue, to
 * see as many rows as fit). The height is remembered across sessions under `storageKey`.
 */
import { h } from './dom.js';

const MIN_HEIGHT = 160;

export function resizeHandle(panel: HTMLElement, storageKey: string): HTMLElement {
  const saved = Number(localStorage.getItem(storageKey));
  if (saved >= MIN_HEIGHT) panel.style.flexBasis = `${saved}px`;
  const grip = h('div', {
    class: 'resize-handle',
    role: 'separator',
    'aria-orientation': 'horizontal',
    'aria-label': 'Drag to resize',
    title: 'Drag to resize',
    'data-testid': 'queue-resize',
  });
  grip.addEventListener('pointerdown', (down) => {
    down.preventDefault();
    const startY = down.clientY;
    const startHeight = panel.getBoundingClientRect().height;
    grip.setPointerCapture(down.pointerId);
    const move = (event: PointerEvent) => {
      const height = Math.max(MIN_HEIGHT, startHeight + event.clientY - startY);
      panel.style.flexBasis = `${height}px`;
    };
    const up = () => {
      grip.removeEventListener('pointermove', move);
      grip.removeEventListener('pointerup', up);
      localStorage.setItem(storageKey, String(Math.round(panel.getBoundingClientRect().height)));
    };
    grip.addEventListener('pointermove', move);
    grip.addEventListener('pointerup', up);
  });
  return grip;
}
