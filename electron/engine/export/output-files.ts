/**
 * File handling shared by the vector writers: refuse to clobber existing files unless asked, and
 * write under a temporary name first so a crash or a validation error half-way never leaves a
 * truncated file that QGIS would then fail to open.
 */
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { LandWatchError } from '../errors.js';

/** Throws when any of the paths exists and overwriting was not allowed. */
export function assertCanWrite(paths: string[], overwrite: boolean | undefined): void {
  if (overwrite) return;
  const existing = paths.filter((p) => existsSync(p));
  if (existing.length > 0) {
    throw new LandWatchError(
      'E_OUTPUT',
      `${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}; choose another name or allow overwriting.`,
    );
  }
}

/** The temporary name a file is written under before it is moved into place. */
export function partPath(path: string): string {
  return `${path}.part`;
}

/** Moves a finished temporary file into place, replacing any existing file. */
export function commitPart(path: string): void {
  try {
    renameSync(partPath(path), path);
  } catch (error) {
    rmSync(partPath(path), { force: true });
    throw new LandWatchError(
      'E_OUTPUT',
      `Could not write ${path} (is it open in another program?).`,
      {
        cause: error,
      },
    );
  }
}

/** Writes several files so that either all of them appear or, on error, none of the new ones. */
export function writeFilesAtomically(files: { path: string; data: Uint8Array | string }[]): void {
  try {
    for (const file of files) writeFileSync(partPath(file.path), file.data);
  } catch (error) {
    for (const file of files) rmSync(partPath(file.path), { force: true });
    throw new LandWatchError(
      'E_OUTPUT',
      `Could not write ${files[0]?.path}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  for (const file of files) commitPart(file.path);
}
