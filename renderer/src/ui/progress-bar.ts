/** A determinate progress bar (ARIA progressbar) whose fill follows a percentage. */
import { h } from './dom.js';

export interface ProgressBar {
  element: HTMLElement;
  set(percent: number): void;
}

export function createProgressBar(label: string, testId: string): ProgressBar {
  const fill = h('div', { class: 'progress-fill' });
  const element = h(
    'div',
    {
      class: 'progress',
      role: 'progressbar',
      'aria-valuemin': '0',
      'aria-valuemax': '100',
      'aria-valuenow': '0',
      'aria-label': label,
      'data-testid': testId,
    },
    fill,
  );
  return {
    element,
    set(percent) {
      element.setAttribute('aria-valuenow', String(percent));
      fill.style.width = `${percent}%`;
    },
  };
}
