/**
 * Imagery settings per date: which file band goes to red, green and blue (from the file's band
 * count) and the contrast stretch — percentile 2–98 % (default), min–max, or a manual range.
 * Changes apply at once through style variables (map/imagery.ts); nothing is reloaded. I shows
 * and hides the panel.
 */
import type { Imagery } from '../map/imagery.js';
import type { ImagerySettings, StretchMode } from '../map/stretch.js';
import { keyHint } from '../keys.js';
import { h, replaceChildren } from '../ui/dom.js';

export interface ImageryPanel {
  element: HTMLElement;
  /** The imagery of the open project (null while none is loaded). */
  setImagery(imagery: { before: Imagery; after: Imagery } | null): void;
  /** Shows or hides the panel; shown, the first control takes the focus. */
  toggle(): void;
}

const STRETCHES: [StretchMode, string][] = [
  ['percentile', 'Percentile 2–98 %'],
  ['bandwise', 'Per band 2–98 % (multispectral)'],
  ['minmax', 'Min – max'],
  ['manual', 'Manual range'],
];

/** Rounds a range end for display without hiding the steps of 8-bit data. */
function shown(value: number): string {
  return String(Math.abs(value) >= 100 ? Math.round(value) : Number(value.toPrecision(4)));
}

/** The controls of one date. */
function dateControls(imagery: Imagery): HTMLElement {
  const { scene } = imagery;
  const role = scene.role;
  const bandSelect = (channel: string, index: 0 | 1 | 2) => {
    const select = h(
      'select',
      {
        class: 'input input-sm',
        'aria-label': `${role} ${channel} band`,
        title: `File band shown as ${channel}`,
        'data-testid': `imagery-${role}-${channel[0]}`,
      },
      ...Array.from({ length: scene.bands }, (_, i) => h('option', { value: i + 1 }, `${i + 1}`)),
    );
    select.value = String(imagery.settings().bands[index]);
    return select;
  };
  const r = bandSelect('red', 0);
  const g = bandSelect('green', 1);
  const b = bandSelect('blue', 2);
  const stretch = h(
    'select',
    {
      class: 'input input-sm',
      'aria-label': `${role} stretch`,
      'data-testid': `imagery-${role}-stretch`,
    },
    ...STRETCHES.map(([value, label]) => h('option', { value }, label)),
  );
  const number = (what: string) =>
    h('input', {
      class: 'input input-sm',
      type: 'number',
      step: 'any',
      'aria-label': `${role} stretch ${what}`,
      'data-testid': `imagery-${role}-${what}`,
    });
  const min = number('min');
  const max = number('max');
  const error = h('p', { class: 'form-error', role: 'alert' });

  function refresh(): void {
    const settings = imagery.settings();
    stretch.value = settings.stretch;
    const range = imagery.range();
    min.value = shown(range.min);
    max.value = shown(range.max);
    min.disabled = settings.stretch !== 'manual';
    max.disabled = settings.stretch !== 'manual';
  }

  function apply(): void {
    const next: ImagerySettings = {
      bands: [Number(r.value), Number(g.value), Number(b.value)],
      stretch: stretch.value as StretchMode,
      min: Number(min.value),
      max: Number(max.value),
    };
    if (next.stretch === 'manual' && !(next.max > next.min)) {
      error.textContent = 'The maximum must be above the minimum.';
      return;
    }
    error.textContent = '';
    imagery.apply(next);
    refresh();
  }
  for (const control of [r, g, b, stretch, min, max]) control.addEventListener('change', apply);
  refresh();

  return h(
    'fieldset',
    { class: 'imagery-date', 'data-testid': `imagery-${role}` },
    h('legend', {}, `${role === 'before' ? 'Before' : 'After'} · ${scene.name}`),
    h('div', { class: 'imagery-row' }, h('span', { class: 'field-label' }, 'R G B'), r, g, b),
    h('div', { class: 'imagery-row' }, stretch),
    h('div', { class: 'imagery-row' }, min, h('span', { class: 'muted' }, '–'), max),
    error,
  );
}

export function createImageryPanel(): ImageryPanel {
  const body = h('div', { class: 'imagery-body' });
  const element = h(
    'section',
    {
      class: 'panel imagery',
      'data-testid': 'imagery-panel',
      title: keyHint('Bands and contrast stretch per date', 'imagery'),
    },
    h('header', { class: 'panel-header' }, h('h2', {}, 'Imagery')),
    body,
  );
  element.hidden = true;
  const empty = () => h('p', { class: 'hint' }, 'The imagery is loading…');
  body.append(empty());

  return {
    element,
    setImagery(imagery) {
      if (!imagery) return replaceChildren(body, empty());
      replaceChildren(body, dateControls(imagery.before), dateControls(imagery.after));
    },
    toggle() {
      element.hidden = !element.hidden;
      if (!element.hidden) element.querySelector<HTMLElement>('select')?.focus();
    },
  };
}
