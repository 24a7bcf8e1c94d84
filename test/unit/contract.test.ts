import { describe, expect, it } from 'vitest';
import { contract, isChannel } from '../../electron/common/contract.js';

describe('contract', () => {
  it('knows its channels', () => {
    expect(isChannel('app.info')).toBe(true);
    expect(isChannel('constructor')).toBe(false);
    expect(isChannel('fs.readFile')).toBe(false);
  });

  it('applies defaults and rejects bad detection payloads', () => {
    const ok = contract['detect.start'].request.parse({ projectId: 'p1' });
    expect(ok).toEqual({ projectId: 'p1', threshold: 0.5, minArea: 50, device: 'auto' });
    expect(() =>
      contract['detect.start'].request.parse({ projectId: 'p1', threshold: 1.5 }),
    ).toThrow();
    expect(() => contract['detect.start'].request.parse({ projectId: '' })).toThrow();
    expect(() =>
      contract['detect.start'].request.parse({ projectId: 'p', device: 'tpu' }),
    ).toThrow();
    expect(() => contract['detect.start'].request.parse({ projectId: 'p', extra: 1 })).toThrow();
  });
});
