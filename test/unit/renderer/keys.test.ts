import { describe, expect, it } from 'vitest';
import {
  KEY_BINDINGS,
  classIndexForKey,
  commandForKey,
  keyHint,
  reviewStateFor,
} from '../../../renderer/src/keys.js';

describe('key map', () => {
  it.each([
    ['j', 'next'],
    ['J', 'next'],
    ['ArrowDown', 'next'],
    ['k', 'prev'],
    ['ArrowUp', 'prev'],
    ['c', 'confirm'],
    ['x', 'reject'],
    ['f', 'field_check'],
    ['u', 'unreview'],
    ['s', 'toggle_compare'],
    ['T', 'flicker'],
    ['?', 'help'],
    ['Escape', 'close'],
    ['1', 'set_class'],
    ['9', 'set_class'],
    ['n', 'note'],
    ['E', 'modify'],
    ['d', 'draw'],
    ['l', 'split'],
    ['m', 'merge'],
    ['Delete', 'delete'],
    ['v', 'side_by_side'],
    ['H', 'heat'],
    ['i', 'imagery'],
  ] as const)('%s → %s', (key, command) => {
    expect(commandForKey({ key })).toBe(command);
  });

  it('binds the keys of review at scale, history, go to and measure', () => {
    expect(commandForKey({ key: 'a', ctrlKey: true })).toBe('select_all');
    expect(commandForKey({ key: 'g' })).toBe('goto');
    expect(commandForKey({ key: 'y' })).toBe('history');
    expect(commandForKey({ key: 'q' })).toBe('measure');
    expect(commandForKey({ key: 'a', ctrlKey: true, editable: true })).toBeNull();
  });

  it('ignores unbound keys, modifiers and typing', () => {
    expect(commandForKey({ key: 'w' })).toBeNull();
    expect(commandForKey({ key: 'c', ctrlKey: true })).toBeNull();
    expect(commandForKey({ key: 'c', metaKey: true })).toBeNull();
    expect(commandForKey({ key: 'j', altKey: true })).toBeNull();
    expect(commandForKey({ key: 'c', editable: true })).toBeNull();
    expect(commandForKey({ key: 'ArrowDown', editable: true })).toBeNull();
  });

  it('maps Ctrl/Cmd chords to undo and redo', () => {
    expect(commandForKey({ key: 'z', ctrlKey: true })).toBe('undo');
    expect(commandForKey({ key: 'z', metaKey: true })).toBe('undo');
    expect(commandForKey({ key: 'Z', ctrlKey: true, shiftKey: true })).toBe('redo');
    expect(commandForKey({ key: 'y', ctrlKey: true })).toBe('redo');
    expect(commandForKey({ key: 'z' })).toBe('zoom');
    expect(commandForKey({ key: 'z', ctrlKey: true, editable: true })).toBeNull();
    expect(commandForKey({ key: 'z', ctrlKey: true, altKey: true })).toBeNull();
  });

  it('turns number keys into code-list positions', () => {
    expect(classIndexForKey('1')).toBe(0);
    expect(classIndexForKey('9')).toBe(8);
    expect(classIndexForKey('0')).toBeNull();
    expect(classIndexForKey('j')).toBeNull();
  });

  it('names the key in tooltips', () => {
    expect(keyHint('Merge', 'merge')).toBe('Merge (M)');
    expect(keyHint('Undo', 'undo')).toBe('Undo (Ctrl+Z)');
  });

  it('maps review commands to states', () => {
    expect(reviewStateFor('confirm')).toBe('confirmed');
    expect(reviewStateFor('reject')).toBe('rejected');
    expect(reviewStateFor('field_check')).toBe('field_check');
    expect(reviewStateFor('unreview')).toBe('unreviewed');
    expect(reviewStateFor('next')).toBeNull();
  });

  it('documents every command once and binds no key twice', () => {
    const commands = KEY_BINDINGS.map((b) => b.command);
    expect(new Set(commands).size).toBe(commands.length);
    const keys = KEY_BINDINGS.flatMap((b) => b.keys.map((k) => k.toLowerCase()));
    expect(new Set(keys).size).toBe(keys.length);
    for (const binding of KEY_BINDINGS) {
      for (const key of binding.keys) expect(commandForKey({ key })).toBe(binding.command);
      for (const chord of binding.chords ?? []) {
        const parts = chord.split('+');
        const key = parts.at(-1) ?? '';
        const input = { key, ctrlKey: true, shiftKey: parts.includes('Shift') };
        expect(commandForKey(input)).toBe(binding.command);
      }
    }
  });
});
