/**
 * Errors that cross a boundary (CLI, IPC, HTTP) carry a stable code and a message a person can act
 * on: it names the file or the field and says what is wrong with it.
 */
export type ErrorCode =
  | 'E_FILE_NOT_FOUND'
  | 'E_NOT_TIFF'
  | 'E_TIFF_CORRUPT'
  | 'E_NO_GEOREF'
  | 'E_CRS_UNKNOWN'
  | 'E_CRS_MISMATCH'
  | 'E_GRID_MISMATCH'
  | 'E_NO_OVERLAP'
  | 'E_BANDS'
  | 'E_MODEL'
  | 'E_EP'
  | 'E_BAD_REQUEST'
  | 'E_NOT_FOUND'
  /** A write based on a version of the data that someone else has since changed (HTTP 409). */
  | 'E_CONFLICT'
  /** The user's role does not allow this (HTTP 403): a viewer writing, an analyst outside their work. */
  | 'E_FORBIDDEN'
  | 'E_OUTPUT'
  | 'E_BAD_LABELS'
  | 'E_ADAPT'
  | 'E_CANCELLED'
  /** A team server request without a valid session (HTTP 401). */
  | 'E_UNAUTHENTICATED'
  /** A team user whose role may not use the channel (HTTP 403). */
  | 'E_FORBIDDEN'
  /** Too many failed log-ins for one user name (HTTP 429). */
  | 'E_RATE_LIMITED'
  | 'E_INTERNAL';

export class LandWatchError extends Error {
  readonly code: ErrorCode;
  /** Facts a client can act on without parsing the message (e.g. who changed a patch, when). */
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options);
    this.name = 'LandWatchError';
    this.code = code;
    this.details = options?.details;
  }
}

/** True for the error an AbortSignal produces; cancellation is an outcome, not a failure. */
export function isAbort(error: unknown): boolean {
  return (
    (error instanceof LandWatchError && error.code === 'E_CANCELLED') ||
    (error instanceof Error && error.name === 'AbortError')
  );
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new LandWatchError('E_CANCELLED', 'Cancelled.');
}

/** Turns anything thrown into the { code, message } body every transport sends. */
export function toErrorBody(error: unknown): {
  code: string;
  message: string;
  details?: Record<string, unknown>;
} {
  if (error instanceof LandWatchError)
    return error.details
      ? { code: error.code, message: error.message, details: error.details }
      : { code: error.code, message: error.message };
  if (error instanceof Error) return { code: 'E_INTERNAL', message: error.message };
  return { code: 'E_INTERNAL', message: String(error) };
}
