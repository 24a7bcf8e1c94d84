/**
 * The error banner: every failed API call lands here with its message (never a silent failure).
 * Messages stack; each is dismissed on its own, or all at once.
 */
import { describeError } from '../api/errors.js';
import { h, replaceChildren } from './dom.js';

export interface ErrorBanner {
  element: HTMLElement;
  /** Shows an error; `context` says what was being done ("Export"). */
  show(err: unknown, context?: string): void;
  clear(): void;
}

const MAX_SHOWN = 4;

export function createErrorBanner(): ErrorBanner {
  const list = h('ul', { class: 'error-list' });
  const dismissAll = h(
    'button',
    { class: 'btn btn-ghost', type: 'button', 'data-testid': 'error-dismiss' },
    'Dismiss',
  );
  const element = h(
    'div',
    {
      class: 'error-banner',
      role: 'alert',
      'aria-live': 'assertive',
      'data-testid': 'error-banner',
    },
    list,
    dismissAll,
  );
  element.hidden = true;
  const messages: { text: string; code: string }[] = [];

  function render(): void {
    replaceChildren(
      list,
      ...messages.map((m, i) =>
        h(
          'li',
          {},
          h('span', { class: 'error-code' }, m.code),
          h('span', { class: 'error-text' }, m.text),
          h(
            'button',
            {
              class: 'error-close',
              type: 'button',
              title: 'Dismiss this message',
              'aria-label': 'Dismiss this message',
              onclick: () => {
                messages.splice(i, 1);
                render();
              },
            },
            '×',
          ),
        ),
      ),
    );
    element.hidden = messages.length === 0;
  }

  dismissAll.addEventListener('click', () => {
    messages.length = 0;
    render();
  });

  return {
    element,
    show(err, context) {
      const { code, message } = describeError(err);
      const text = context ? `${context}: ${message}` : message;
      console.error(`LandWatch ${code}: ${text}`, err);
      const last = messages[messages.length - 1];
      if (last && last.text === text && last.code === code) return;
      messages.push({ text, code });
      if (messages.length > MAX_SHOWN) messages.shift();
      render();
    },
    clear() {
      messages.length = 0;
      render();
    },
  };
}
