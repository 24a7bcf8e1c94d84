/** Failed log-ins slow down, then lock a user name out for a growing while. */
import { describe, expect, it } from 'vitest';
import { LoginThrottle } from '../../../electron/server/login-throttle.js';

describe('LoginThrottle', () => {
  it('delays each failure, locks a name out after five in a row, and forgets on success', async () => {
    let now = 1_000_000;
    const slept: number[] = [];
    const throttle = new LoginThrottle(
      () => now,
      async (ms) => void slept.push(ms),
    );
    for (let i = 0; i < 4; i++) {
      throttle.check('Anna');
      await throttle.failed('anna');
    }
    expect(slept).toEqual([200, 400, 600, 800]);
    throttle.check('anna'); // four failures: still allowed
    await throttle.failed('ANNA');
    expect(() => throttle.check('anna')).toThrow(
      'Too many failed log-ins for this user name; try again in 30 s.',
    );
    expect(() => throttle.check('bob')).not.toThrow(); // other names are not affected
    now += 30_001;
    throttle.check('anna');
    await throttle.failed('anna'); // the sixth in a row: twice as long
    now += 59_000;
    expect(() => throttle.check('anna')).toThrow(/try again in 1 s/);
    now += 1_001;
    throttle.succeeded('anna');
    throttle.check('anna');
    await throttle.failed('anna');
    expect(() => throttle.check('anna')).not.toThrow();
    expect(slept.at(-1)).toBe(200);
  });
});
