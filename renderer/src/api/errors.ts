/**
 * Errors as the renderer sees them: every failed API call becomes an {@link ApiError} with the
 * backend's `code` and a message a person can act on. DOM-free so it can be unit-tested in Node.
 */
import type { ApiErrorBody } from '../../../electron/common/contract.js';

/** A failed API call. `code` is the backend's error code (or a transport code such as `NETWORK`). */
export class ApiError extends Error {
  readonly code: string;
  /** HTTP status when the HTTP transport carried the call. */
  readonly status: number | undefined;

  constructor(code: string, message: string, status?: number) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

/** True when `value` is the `{ error: { code, message } }` body the HTTP server sends on failure. */
export function isErrorEnvelope(value: unknown): value is { error: ApiErrorBody } {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = (value as { error: unknown }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

// Electron prefixes errors that cross ipcRenderer.invoke; people should not have to read it.
const ELECTRON_PREFIX = /^Error invoking remote method '[^']*':\s*(?:[A-Za-z]*Error:\s*)?/;

/**
 * Turns anything thrown into `{ code, message }` for display.
 *
 * @example describeError(new ApiError('NOT_FOUND', 'Project p1 does not exist'))
 *   // → { code: 'NOT_FOUND', message: 'Project p1 does not exist' }
 */
export function describeError(err: unknown): ApiErrorBody {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const message = err.message.replace(ELECTRON_PREFIX, '').trim() || err.name;
    return { code: typeof code === 'string' && code ? code : 'ERROR', message };
  }
  if (isErrorEnvelope(err)) return { ...err.error };
  if (typeof err === 'string' && err) return { code: 'ERROR', message: err };
  return { code: 'ERROR', message: 'Something went wrong, and the error carried no message.' };
}
