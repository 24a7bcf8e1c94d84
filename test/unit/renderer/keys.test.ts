import { describe, expect, it } from 'vitest';
import { KEY_BINDINGS, commandForKey, reviewStateFor } from '../../../renderer/src/keys.js';

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
  ] as const)('%s → %s', (key, command) => {
    expect(commandForKey({ key })).toBe(command);
  });

  it('ignores unbound keys, modifiers and typing', () => {
    expect(commandForKey({ key: 'q' })).toBeNull();
    expect(commandForKey({ key: 'c', ctrlKey: true })).toBeNull();
    expect(commandForKey({ key: 'c', metaKey: true })).toBeNull();
    expect(commandForKey({ key: 'j', altKey: true })).toBeNull();
    expect(commandForKey({ key: 'c', editable: true })).toBeNull();
    expect(commandForKey({ key: 'ArrowDown', editable: true })).toBeNull();
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
    }
  });
});
