import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, parseByteRange } from '../../electron/common/web-policy.js';

describe('parseByteRange', () => {
  it.each([
    [undefined, null],
    ['bytes=0-7', { start: 0, end: 7 }],
    ['bytes=10-', { start: 10, end: 99 }],
    ['bytes=-10', { start: 90, end: 99 }],
    ['bytes=50-500', { start: 50, end: 99 }],
    ['bytes=200-300', 'unsatisfiable'],
    ['bytes=-', null],
    ['items=0-1', null],
  ])('%s of a 100-byte file → %j', (header, expected) => {
    expect(parseByteRange(header, 100)).toEqual(expected);
  });
});

it('the CSP allows only the app itself (plus what a transport adds)', () => {
  expect(contentSecurityPolicy()).toContain("default-src 'none'");
  expect(contentSecurityPolicy()).toContain("script-src 'self';");
  expect(contentSecurityPolicy('landwatch:')).toContain("connect-src 'self' landwatch:");
});
