/**
 * Modal dialogs on the native `<dialog>` element (focus trapping and Esc come with it), and a
 * comment prompt (Electron has no `window.prompt`).
 */
import { h } from './dom.js';

export interface Modal {
  dialog: HTMLDialogElement;
  body: HTMLElement;
  footer: HTMLElement;
  open(): void;
  close(): void;
  isOpen(): boolean;
}

/** Creates a modal attached to `document.body`; `onClose` runs however it was closed. */
export function createModal(title: string, testId: string, onClose?: () => void): Modal {
  const body = h('div', { class: 'modal-body' });
  const footer = h('div', { class: 'modal-footer' });
  const closeButton = h(
    'button',
    { class: 'modal-x', type: 'button', 'aria-label': 'Close', title: 'Close' },
    '×',
  );
  const dialog = h(
    'dialog',
    { class: 'modal', 'data-testid': testId, 'aria-label': title },
    h('header', { class: 'modal-header' }, h('h2', {}, title), closeButton),
    body,
    footer,
  );
  closeButton.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => onClose?.());
  document.body.append(dialog);
  return {
    dialog,
    body,
    footer,
    open() {
      if (!dialog.open) dialog.showModal();
    },
    close() {
      if (dialog.open) dialog.close();
    },
    isOpen: () => dialog.open,
  };
}

/** True while any modal dialog is open (global shortcuts stay quiet then). */
export function anyModalOpen(): boolean {
  return document.querySelector('dialog[open]') !== null;
}

/**
 * Asks for an optional comment. Resolves to the text (possibly empty) on OK / Enter, or null when
 * cancelled.
 */
export function promptComment(
  title: string,
  placeholder = 'Optional comment',
): Promise<string | null> {
  return new Promise((resolve) => {
    let result: string | null = null;
    const modal = createModal(title, 'comment-dialog', () => {
      modal.dialog.remove();
      resolve(result);
    });
    const input = h('textarea', {
      class: 'input',
      rows: 3,
      maxlength: 2000,
      placeholder,
      'data-testid': 'comment-input',
    });
    const ok = h(
      'button',
      { class: 'btn btn-primary', type: 'button', 'data-testid': 'comment-ok' },
      'OK',
    );
    const cancel = h('button', { class: 'btn', type: 'button' }, 'Cancel');
    const submit = () => {
      result = input.value.trim();
      modal.close();
    };
    ok.addEventListener('click', submit);
    cancel.addEventListener('click', () => modal.close());
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey) {
        event.preventDefault();
        submit();
      }
    });
    modal.body.append(
      h('p', { class: 'hint' }, 'Enter to save, Shift+Enter for a new line, Esc to cancel.'),
      input,
    );
    modal.footer.append(cancel, ok);
    modal.open();
    input.focus();
  });
}
