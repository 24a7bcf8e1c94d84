/**
 * Output files of the commands (`detect --out/--mask`, `export --out`): checked before any work
 * starts — the folder exists and is writable, the name is not a folder, neither it nor the files
 * written beside it (a Shapefile's .shx/.dbf/.cpg/.prj, a CSV's .csvt/.prj) exist unless
 * overwriting, no two outputs are one file — and written all or nothing: each writer writes under
 * a temporary name in the same folder and renames on success (output-files.ts, geotiff-write.ts),
 * and when a later output fails, the ones already written by this run are removed again.
 */
import { accessSync, constants, existsSync, rmSync, statSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { LandWatchError } from '../errors.js';

/** One output a command will write. */
export interface OutputTarget {
  /** The option that named it, for messages (`--out`). */
  flag: string;
  /** Absolute path. */
  path: string;
}

const COMPANIONS: Record<string, string[]> = {
  '.shp': ['.shx', '.dbf', '.cpg', '.prj'],
  '.csv': ['.csvt', '.prj'],
};

/** The files written for `path`: itself and its companions (Shapefile parts, CSV sidecars). */
export function filesWrittenFor(path: string): string[] {
  const ext = extname(path);
  const base = path.slice(0, path.length - ext.length);
  return [path, ...(COMPANIONS[ext.toLowerCase()] ?? []).map((e) => base + e)];
}

function problem(target: OutputTarget, why: string): LandWatchError {
  return new LandWatchError('E_OUTPUT', `${target.flag} ${target.path}: ${why}`);
}

/**
 * Throws one E_OUTPUT error naming the option, the file and the problem when an output cannot be
 * written; see the module comment for what is checked.
 */
export function checkOutputPaths(targets: OutputTarget[], overwrite: boolean): void {
  const seen = new Map<string, string>();
  for (const target of targets) {
    for (const file of filesWrittenFor(target.path)) {
      const other = seen.get(file);
      if (other) throw problem(target, `${other} writes the same file; give them different names.`);
      seen.set(file, target.flag);
    }
    const dir = dirname(target.path);
    const st = statSync(dir, { throwIfNoEntry: false });
    if (!st) throw problem(target, `the folder ${dir} does not exist.`);
    if (!st.isDirectory()) throw problem(target, `${dir} is not a folder.`);
    try {
      accessSync(dir, constants.W_OK | constants.X_OK);
    } catch {
      throw problem(target, `cannot write in ${dir} (permission denied).`);
    }
    if (statSync(target.path, { throwIfNoEntry: false })?.isDirectory())
      throw problem(target, 'is a folder; give a file name.');
    const existing = filesWrittenFor(target.path).filter((f) => existsSync(f));
    if (existing.length > 0 && !overwrite) {
      const which = existing[0] === target.path ? '' : `${existing.join(', ')} `;
      throw problem(target, `${which}already exists; pass --overwrite to replace it.`);
    }
  }
}

const FS_CODES = new Set(['EACCES', 'EPERM', 'ENOSPC', 'EDQUOT', 'EROFS', 'ENOENT', 'EISDIR']);

/** A file-system failure while writing `path` as one E_OUTPUT line; other errors unchanged. */
export function outputError(path: string, error: unknown): unknown {
  const code = (error as { code?: string }).code;
  if (error instanceof LandWatchError || !code || !FS_CODES.has(code)) return error;
  return new LandWatchError('E_OUTPUT', `Could not write ${path}: ${(error as Error).message}`, {
    cause: error,
  });
}

/**
 * Runs the writers in order; each resolves with the files it wrote. When one fails, the files the
 * earlier ones wrote are removed and its error (a file-system failure as one E_OUTPUT line) is
 * thrown.
 */
export async function writeAllOrNothing(
  writers: { path: string; write: () => Promise<string[]> }[],
): Promise<string[]> {
  const written: string[] = [];
  for (const writer of writers) {
    try {
      written.push(...(await writer.write()));
    } catch (error) {
      for (const file of written) rmSync(file, { force: true });
      throw outputError(writer.path, error);
    }
  }
  return written;
}
