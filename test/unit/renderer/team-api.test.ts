/** A lost session (HTTP 401) sends the team window back to its login form, once. */
import { describe, expect, it } from 'vitest';
import type { LandWatchApi } from '../../../electron/common/contract.js';
import { ApiError } from '../../../renderer/src/api/errors.js';
import { isSessionLost, withSessionWatch } from '../../../renderer/src/team/team-api.js';

function failing(error: unknown): LandWatchApi {
  return {
    invoke: async () => {
      throw error;
    },
    onEvent: () => () => {},
  };
}

describe('withSessionWatch', () => {
  it('tells once when calls are refused for want of a session, and still throws', async () => {
    let told = 0;
    const expired = new ApiError('E_UNAUTHENTICATED', 'Log in first', 401);
    const api = withSessionWatch(failing(expired), () => told++);
    await expect(api.invoke('patches.summary', { projectId: 'team:a' })).rejects.toBe(expired);
    await expect(api.invoke('history.list', { projectId: 'team:a' })).rejects.toBe(expired);
    expect(told).toBe(1);
  });

  it('leaves other errors, and a refused login, alone', async () => {
    let told = 0;
    const forbidden = new ApiError('E_FORBIDDEN', 'not for viewers', 403);
    await expect(
      withSessionWatch(failing(forbidden), () => told++).invoke('settings.set', {
        projectId: 'team:a',
        rejectCommentMinConfidence: 0.5,
      }),
    ).rejects.toBe(forbidden);
    const wrong = new ApiError('E_UNAUTHENTICATED', 'Wrong user name or password.', 401);
    await expect(
      withSessionWatch(failing(wrong), () => told++).invoke('team.login', {
        user: 'anna',
        password: 'nope',
      }),
    ).rejects.toBe(wrong);
    expect(told).toBe(0);
    expect(isSessionLost(new Error('plain'))).toBe(false);
  });
});
