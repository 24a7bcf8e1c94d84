/** The patch-code keys: O finds similar patches, P inherits; no key is bound twice. */
import { expect, it } from 'vitest';
import { KEY_BINDINGS, commandForKey, keyHint } from '../../../renderer/src/keys.js';

it('binds O to find similar and P to inherit, in either case', () => {
  expect(commandForKey({ key: 'o' })).toBe('similar');
  expect(commandForKey({ key: 'O', shiftKey: true })).toBe('similar');
  expect(commandForKey({ key: 'p' })).toBe('inherit');
  expect(commandForKey({ key: 'p', ctrlKey: true })).toBeNull(); // Ctrl+P stays the browser's
  expect(keyHint('press to inherit', 'inherit')).toBe('press to inherit (P)');
});

it('binds every key once', () => {
  const keys = KEY_BINDINGS.flatMap((b) =>
    b.keys.map((k) => (k.length === 1 ? k.toLowerCase() : k)),
  );
  expect(new Set(keys).size).toBe(keys.length);
});
