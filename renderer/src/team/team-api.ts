/**
 * The API as a team session sees it: every call goes through unchanged, and a call refused for
 * want of a session (HTTP 401: it expired, or someone ended it) tells `onExpired` once, so the
 * window can return to the login form. DOM-free.
 */
import type { LandWatchApi } from '../../../electron/common/contract.js';
import { ApiError } from '../api/errors.js';

export function isSessionLost(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 401 || err.code === 'E_UNAUTHENTICATED');
}

export function withSessionWatch(api: LandWatchApi, onExpired: () => void): LandWatchApi {
  let told = false;
  return {
    async invoke(channel, request) {
      try {
        return await api.invoke(channel, request);
      } catch (err) {
        if (channel !== 'team.login' && isSessionLost(err) && !told) {
          told = true;
          onExpired();
        }
        throw err;
      }
    },
    onEvent: (listener) => api.onEvent(listener),
  };
}
