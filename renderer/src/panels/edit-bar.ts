/**
 * The editing tools: vertex editing, drawing, splitting, merging, deleting, undo and redo. Every
 * button's tooltip names its key (from keys.ts).
 */
import type { Command } from '../keys.js';
import { keyHint } from '../keys.js';
import { mergeCandidates, type AppState, type EditMode } from '../state.js';
import { h } from '../ui/dom.js';

export interface EditBar {
  element: HTMLElement;
  update(state: AppState): void;
}

interface Tool {
  command: Command;
  label: string;
  title: string;
  testId: string;
  mode?: EditMode;
}

const TOOLS: Tool[] = [
  {
    command: 'modify',
    label: 'Vertices',
    title: 'Edit vertices',
    testId: 'tool-modify',
    mode: 'modify',
  },
  { command: 'draw', label: 'Draw', title: 'Draw a new patch', testId: 'tool-draw', mode: 'draw' },
  {
    command: 'split',
    label: 'Split',
    title: 'Split along a line',
    testId: 'tool-split',
    mode: 'split',
  },
  {
    command: 'merge',
    label: 'Merge',
    title: 'Merge with the Ctrl+clicked patches (Shift+click on the map)',
    testId: 'tool-merge',
  },
  { command: 'delete', label: 'Delete', title: 'Delete the selected patch', testId: 'tool-delete' },
  { command: 'undo', label: 'Undo', title: 'Undo', testId: 'undo' },
  { command: 'redo', label: 'Redo', title: 'Redo', testId: 'redo' },
];

export function createEditBar(run: (command: Command) => void): EditBar {
  const buttons = TOOLS.map((tool) => {
    const button = h(
      'button',
      {
        class: 'btn btn-sm',
        type: 'button',
        title: keyHint(tool.title, tool.command),
        'data-testid': tool.testId,
        onclick: () => run(tool.command),
      },
      tool.label,
    );
    return { tool, button };
  });
  const hint = h('p', { class: 'hint edit-hint', 'data-testid': 'edit-hint' });
  const element = h(
    'section',
    { class: 'panel edit-bar', 'aria-label': 'Editing' },
    h('div', { class: 'edit-buttons' }, ...buttons.map((b) => b.button)),
    hint,
  );
  const HINTS: Record<EditMode, string> = {
    select: 'Ctrl+click patches in the queue (Shift+click on the map) to pick them for a merge.',
    modify: 'Drag a vertex (snaps to patches); click an edge to add one. Esc ends.',
    draw: 'Click the corners, double-click to finish. Esc cancels.',
    split: 'Click across the patch, double-click to finish the line. Esc cancels.',
  };
  return {
    element,
    update(state) {
      const selected = state.selectedId !== null;
      for (const { tool, button } of buttons) {
        const pressed = tool.mode !== undefined && state.editMode === tool.mode;
        button.setAttribute('aria-pressed', String(pressed));
        button.classList.toggle('active', pressed);
        if (tool.command === 'undo') {
          button.disabled = !state.history.undo;
          button.title = keyHint(`Undo ${state.history.undo?.summary ?? ''}`.trim(), 'undo');
        } else if (tool.command === 'redo') {
          button.disabled = !state.history.redo;
          button.title = keyHint(`Redo ${state.history.redo?.summary ?? ''}`.trim(), 'redo');
        } else if (tool.command === 'merge') {
          button.disabled = mergeCandidates(state).length < 2;
        } else if (tool.command !== 'draw') {
          button.disabled = !selected;
        } else {
          button.disabled = !state.project;
        }
      }
      const n = state.marked.length;
      hint.textContent = `${HINTS[state.editMode]}${n > 0 ? ` ${n} marked.` : ''}`;
    },
  };
}
