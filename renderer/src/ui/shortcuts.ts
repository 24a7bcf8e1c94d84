/** Binds the pure key map (keys.ts) to the document. */
import { commandForKey, type Command } from '../keys.js';
import { isEditable } from './dom.js';
import { anyModalOpen } from './modal.js';

/**
 * Calls `run` for every key that maps to a command. While a modal is open only `help` (to close
 * the help overlay) gets through; the dialog handles Esc itself. Returns the unbind function.
 */
export function bindShortcuts(run: (command: Command, key: string) => void): () => void {
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.defaultPrevented || event.isComposing) return;
    const command = commandForKey({
      key: event.key,
      shiftKey: event.shiftKey,
      ctrlKey: event.ctrlKey,
      metaKey: event.metaKey,
      altKey: event.altKey,
      editable: isEditable(event.target),
    });
    if (!command) return;
    if (anyModalOpen() && command !== 'help') return;
    event.preventDefault();
    run(command, event.key);
  };
  document.addEventListener('keydown', onKeyDown);
  return () => document.removeEventListener('keydown', onKeyDown);
}
