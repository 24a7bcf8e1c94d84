/**
 * The keyboard map of the review workflow. Pure: it maps a key (as `KeyboardEvent.key` names it)
 * to a command; `ui/shortcuts.ts` binds it to the document. The help overlay lists
 * {@link KEY_BINDINGS}, so a key added here is documented there too.
 */

export type Command =
  | 'next'
  | 'prev'
  | 'confirm'
  | 'reject'
  | 'field_check'
  | 'unreview'
  | 'zoom'
  | 'toggle_compare'
  | 'flicker'
  | 'help'
  | 'close';

export interface KeyBinding {
  /** `KeyboardEvent.key` values; letters match in either case. */
  keys: readonly string[];
  /** How the help overlay shows the keys. */
  label: string;
  command: Command;
  description: string;
}

export const KEY_BINDINGS: readonly KeyBinding[] = [
  { keys: ['j', 'ArrowDown'], label: 'J / ↓', command: 'next', description: 'Next patch' },
  { keys: ['k', 'ArrowUp'], label: 'K / ↑', command: 'prev', description: 'Previous patch' },
  { keys: ['c'], label: 'C', command: 'confirm', description: 'Confirm: a real change' },
  {
    keys: ['x'],
    label: 'X',
    command: 'reject',
    description: 'Reject: not a change (asks for an optional comment)',
  },
  { keys: ['f'], label: 'F', command: 'field_check', description: 'Needs a field check' },
  { keys: ['u'], label: 'U', command: 'unreview', description: 'Back to unreviewed' },
  { keys: ['z'], label: 'Z', command: 'zoom', description: 'Zoom to the selected patch' },
  {
    keys: ['s'],
    label: 'S',
    command: 'toggle_compare',
    description: 'Next comparison mode: swipe → blend → flicker',
  },
  {
    keys: ['t'],
    label: 'T',
    command: 'flicker',
    description: 'Flicker: show the other date (switches to flicker mode)',
  },
  { keys: ['?'], label: '?', command: 'help', description: 'Show or hide this help' },
  { keys: ['Escape'], label: 'Esc', command: 'close', description: 'Close help or dialog' },
];

/** A key press, reduced to what the map needs (built from a `KeyboardEvent`). */
export interface KeyInput {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  /** The focus is in a text field, select or contenteditable: the key belongs to it. */
  editable?: boolean;
}

const byKey = new Map<string, Command>();
for (const binding of KEY_BINDINGS) {
  for (const key of binding.keys)
    byKey.set(key.length === 1 ? key.toLowerCase() : key, binding.command);
}

/**
 * The command for a key press, or null when the key is not ours: while typing, with Ctrl/Cmd/Alt
 * (so Ctrl+C still copies), or unbound.
 *
 * @example commandForKey({ key: 'J' }) // → 'next'
 */
export function commandForKey(input: KeyInput): Command | null {
  if (input.editable || input.ctrlKey || input.metaKey || input.altKey) return null;
  const key = input.key.length === 1 ? input.key.toLowerCase() : input.key;
  return byKey.get(key) ?? null;
}

/** The review state a command sets, if it is a review command. */
export function reviewStateFor(
  command: Command,
): 'confirmed' | 'rejected' | 'field_check' | 'unreviewed' | null {
  switch (command) {
    case 'confirm':
      return 'confirmed';
    case 'reject':
      return 'rejected';
    case 'field_check':
      return 'field_check';
    case 'unreview':
      return 'unreviewed';
    default:
      return null;
  }
}
