/**
 * The area-of-interest field of the detection dialog: "Draw rectangle" / "Draw polygon" hide the
 * dialog while the analyst draws on the map (Esc gives up), then bring it back with the area
 * shown on the map and described here; "Whole scene" clears it. Detection then runs only the
 * tiles meeting the area and keeps only the patches meeting it.
 */
import type { AoiShape } from '../map/aoi-draw.js';
import { describeAoi } from '../format.js';
import { h } from '../ui/dom.js';

export interface AoiFieldOptions {
  /** Lets the analyst draw on the map; null when given up. */
  draw(shape: AoiShape): Promise<number[][][] | null>;
  /** Shows the area on the map (null removes it). */
  show(rings: number[][][] | null): void;
  /** Hides the dialog for drawing and brings it back afterwards. */
  hideDialog(): void;
  showDialog(): void;
}

export interface AoiField {
  element: HTMLElement;
  /** The drawn area, or null for the whole scene. */
  value(): number[][][] | null;
}

export function createAoiField(options: AoiFieldOptions): AoiField {
  let rings: number[][][] | null = null;
  const text = h('span', { class: 'aoi-text', 'data-testid': 'detect-aoi-text' });
  const button = (label: string, testId: string, title: string) =>
    h('button', { class: 'btn btn-sm', type: 'button', 'data-testid': testId, title }, label);
  const box = button(
    'Draw rectangle',
    'detect-aoi-box',
    'Click two opposite corners on the map (Esc: cancel)',
  );
  const polygon = button(
    'Draw polygon',
    'detect-aoi-polygon',
    'Click the corners on the map, double-click to end (Esc: cancel)',
  );
  const clear = button('Whole scene', 'detect-aoi-clear', 'Detect over the whole scene');

  function render(): void {
    text.textContent = rings ? describeAoi(rings) : 'Whole scene';
    clear.hidden = rings === null;
  }

  async function draw(shape: AoiShape): Promise<void> {
    options.hideDialog();
    try {
      const drawn = await options.draw(shape);
      if (drawn) rings = drawn;
    } finally {
      options.show(rings);
      options.showDialog();
      render();
    }
  }
  box.addEventListener('click', () => void draw('box'));
  polygon.addEventListener('click', () => void draw('polygon'));
  clear.addEventListener('click', () => {
    rings = null;
    options.show(null);
    render();
  });
  render();

  const element = h(
    'div',
    { class: 'field aoi-field' },
    h('span', { class: 'field-label' }, 'Area of interest'),
    h('div', { class: 'aoi-row' }, text),
    h('div', { class: 'aoi-row' }, box, polygon, clear),
    h('span', { class: 'hint' }, 'Only tiles and patches meeting the area are processed and kept.'),
  );
  return { element, value: () => rings };
}
