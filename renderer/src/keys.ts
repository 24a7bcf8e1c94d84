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
  | 'side_by_side'
  | 'heat'
  | 'imagery'
  | 'help'
  | 'close'
  | 'set_class'
  | 'note'
  | 'modify'
  | 'draw'
  | 'split'
  | 'merge'
  | 'delete'
  | 'undo'
  | 'redo'
  | 'similar'
  | 'inherit'
  | 'detect'
  | 'adapt'
  | 'select_all'
  | 'goto'
  | 'history'
  | 'measure';

export interface KeyBinding {
  /** `KeyboardEvent.key` values pressed without Ctrl/Cmd/Alt; letters match in either case. */
  keys: readonly string[];
  /** Chords with Ctrl (Cmd on macOS), written `Ctrl+Z` / `Ctrl+Shift+Z`. */
  chords?: readonly string[];
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
    description: 'Next comparison mode: swipe → blend → flicker → side by side',
  },
  {
    keys: ['t'],
    label: 'T',
    command: 'flicker',
    description: 'Flicker: show the other date (switches to flicker mode)',
  },
  {
    keys: ['v'],
    label: 'V',
    command: 'side_by_side',
    description: 'Side by side: both dates in two synchronised views (again: back to swipe)',
  },
  {
    keys: ['h'],
    label: 'H',
    command: 'heat',
    description: "Show or hide the run's change probability as a heat layer",
  },
  {
    keys: ['i'],
    label: 'I',
    command: 'imagery',
    description: 'Imagery settings: bands and contrast stretch per date',
  },
  {
    keys: ['1', '2', '3', '4', '5', '6', '7', '8', '9'],
    label: '1 – 9',
    command: 'set_class',
    description: 'Set the change class (the n-th of the code list)',
  },
  { keys: ['n'], label: 'N', command: 'note', description: 'Write a note on the selected patch' },
  {
    keys: ['e'],
    label: 'E',
    command: 'modify',
    description: 'Edit vertices of the selected patch (drag; snaps to patches)',
  },
  { keys: ['d'], label: 'D', command: 'draw', description: 'Draw a new patch (double-click ends)' },
  {
    keys: ['l'],
    label: 'L',
    command: 'split',
    description: 'Split the selected patch along a drawn line (double-click ends)',
  },
  {
    keys: ['m'],
    label: 'M',
    command: 'merge',
    description: 'Merge the selected patch with the Ctrl+clicked ones',
  },
  { keys: ['Delete'], label: 'Del', command: 'delete', description: 'Delete the selected patch' },
  {
    keys: ['o'],
    label: 'O',
    command: 'similar',
    description: 'Find patches like the selected one (others ranked by patch code)',
  },
  {
    keys: ['p'],
    label: 'P',
    command: 'inherit',
    description: 'Inherit the earlier round’s decision shown for the selected patch',
  },
  { keys: [], chords: ['Ctrl+Z'], label: 'Ctrl+Z', command: 'undo', description: 'Undo' },
  {
    keys: [],
    chords: ['Ctrl+Shift+Z', 'Ctrl+Y'],
    label: 'Ctrl+Shift+Z / Ctrl+Y',
    command: 'redo',
    description: 'Redo',
  },
  {
    keys: ['r'],
    label: 'R',
    command: 'detect',
    description: 'Run detection: open the Detect dialog (Enter starts it)',
  },
  {
    keys: ['a'],
    label: 'A',
    command: 'adapt',
    description: 'Adapt the change model to this project from your decisions',
  },
  {
    keys: [],
    chords: ['Ctrl+A'],
    label: 'Ctrl+A',
    command: 'select_all',
    description:
      'Select every patch matching the filters (Ctrl+click adds one, Shift+click a range); C / X / F / 1–9 then decide for all, one undo step',
  },
  {
    keys: ['g'],
    label: 'G',
    command: 'goto',
    description: 'Go to a patch number, or to x, y in the scene CRS',
  },
  {
    keys: ['y'],
    label: 'Y',
    command: 'history',
    description: "History of the selected patch: revert to any earlier outline or the model's",
  },
  {
    keys: ['q'],
    label: 'Q',
    command: 'measure',
    description: 'Measure a distance (m), again: an area (m² and mu), again: off',
  },
  { keys: ['?'], label: '?', command: 'help', description: 'Show or hide this help' },
  {
    keys: ['Escape'],
    label: 'Esc',
    command: 'close',
    description: 'Close help or dialog; leave the edit tool; clear the multi-selection',
  },
];

/** A key press, reduced to what the map needs (built from a `KeyboardEvent`). */
export interface KeyInput {
  key: string;
  shiftKey?: boolean;
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

const byChord = new Map<string, Command>();
for (const binding of KEY_BINDINGS) {
  for (const chord of binding.chords ?? []) byChord.set(chord.toLowerCase(), binding.command);
}

/**
 * The command for a key press, or null when the key is not ours: while typing (the field keeps
 * its own Ctrl+Z), with Alt, with Ctrl/Cmd unless it is a bound chord (so Ctrl+C still copies),
 * or unbound. Ctrl and Cmd are the same.
 *
 * @example commandForKey({ key: 'J' }) // → 'next'
 * @example commandForKey({ key: 'Z', ctrlKey: true, shiftKey: true }) // → 'redo'
 */
export function commandForKey(input: KeyInput): Command | null {
  if (input.editable || input.altKey) return null;
  const key = input.key.length === 1 ? input.key.toLowerCase() : input.key;
  if (input.ctrlKey || input.metaKey) {
    return byChord.get(`ctrl+${input.shiftKey ? 'shift+' : ''}${key.toLowerCase()}`) ?? null;
  }
  return byKey.get(key) ?? null;
}

/** 0-based code-list position a number key picks (`'1'` → 0), or null for other keys. */
export function classIndexForKey(key: string): number | null {
  return /^[1-9]$/.test(key) ? Number(key) - 1 : null;
}

/**
 * A tooltip naming the key of a command, e.g. `keyHint('Merge', 'merge')` → `Merge (M)`. Tooltips
 * and the help overlay read the same table, so they never disagree.
 */
export function keyHint(text: string, command: Command): string {
  const binding = KEY_BINDINGS.find((b) => b.command === command);
  return binding ? `${text} (${binding.label})` : text;
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
