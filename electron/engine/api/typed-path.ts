/**
 * Paths typed by the user where there is no native dialog (the HTTP transport, hosts without a
 * picker): resolved, and checked to name an existing file or folder before anything opens them.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { LandWatchError } from '../errors.js';

/**
 * A path the user typed (there are no native dialogs over HTTP), resolved and checked to be an
 * existing file or folder; `ask` is the message when nothing was typed.
 */
export function typedLocalPath(
  typedPath: string | undefined,
  kind: 'file' | 'folder',
  ask: string,
): string {
  if (!typedPath) throw new LandWatchError('E_BAD_REQUEST', ask);
  const abs = resolve(typedPath);
  const st = statSync(abs, { throwIfNoEntry: false });
  if (!st) throw new LandWatchError('E_FILE_NOT_FOUND', `${typedPath}: ${kind} not found.`);
  if (kind === 'file' ? !st.isFile() : !st.isDirectory()) {
    throw new LandWatchError('E_BAD_REQUEST', `${typedPath}: not a ${kind}.`);
  }
  return abs;
}
