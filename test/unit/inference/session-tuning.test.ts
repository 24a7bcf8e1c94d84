/**
 * The session set-up detection uses by default, and the environment overrides the benches use:
 * a session thread, ORT's own thread count, idle intra-op threads that sleep, ORT's CPU memory arena
 * without memory patterns.
 */
import { describe, expect, it } from 'vitest';
import { defaultTuning } from '../../../electron/engine/inference/session-thread.js';

describe('defaultTuning', () => {
  it('runs the session in a thread whose idle ORT threads sleep', () => {
    expect(defaultTuning({})).toEqual({ thread: true, spin: false, arena: true, pattern: false });
  });

  it('takes the overrides from the environment', () => {
    expect(
      defaultTuning({
        LANDWATCH_SESSION_THREAD: '0',
        LANDWATCH_ORT_SPIN: '1',
        LANDWATCH_ORT_THREADS: '1',
        LANDWATCH_ORT_ARENA: '0',
        LANDWATCH_ORT_PATTERN: '1',
      }),
    ).toEqual({ thread: false, spin: true, intraOpThreads: 1, arena: false, pattern: true });
    expect(defaultTuning({ LANDWATCH_ORT_THREADS: 'x' })).toEqual({
      thread: true,
      spin: false,
      arena: true,
      pattern: false,
    });
  });
});
