/** The `?` overlay: every key of {@link KEY_BINDINGS}, so the list never goes stale. */
import { KEY_BINDINGS } from '../keys.js';
import { h } from '../ui/dom.js';
import { createModal } from '../ui/modal.js';

export interface HelpOverlay {
  toggle(): void;
  close(): void;
  isOpen(): boolean;
}

export function createHelpOverlay(): HelpOverlay {
  const modal = createModal('Keyboard shortcuts', 'help-overlay');
  modal.dialog.classList.add('modal-help');
  modal.body.append(
    h(
      'table',
      { class: 'keys-table' },
      h(
        'tbody',
        {},
        ...KEY_BINDINGS.map((binding) =>
          h('tr', {}, h('td', {}, h('kbd', {}, binding.label)), h('td', {}, binding.description)),
        ),
      ),
    ),
    h(
      'p',
      { class: 'hint' },
      'Keys are ignored while you type in a text field. Drag the map to pan, scroll to zoom.',
    ),
  );
  const ok = h('button', { class: 'btn btn-primary', type: 'button' }, 'Got it');
  ok.addEventListener('click', () => modal.close());
  modal.footer.append(ok);
  return {
    toggle: () => (modal.isOpen() ? modal.close() : modal.open()),
    close: () => modal.close(),
    isOpen: () => modal.isOpen(),
  };
}
