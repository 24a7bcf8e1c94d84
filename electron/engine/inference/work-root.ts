/**
 * Where default work folders go. LANDWATCH_WORK when set; else `landwatch-work-<uid>` in the temp
 * folder, created private (0700) — the temp folder is shared by every user of the machine, so a
 * folder there must be this user's own: one that is not (a symbolic link, another owner) is not
 * used, and the work goes to `work` in LandWatch's data folder instead. Resumable runs need a
 * stable name, hence no random one.
 */
import { chmodSync, lstatSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataHome } from '../paths.js';

/** Creates `dir` (0700) if missing; true when it is a real folder of this user, made private. */
function privateDir(dir: string): boolean {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  const uid = process.getuid?.();
  if (!st.isDirectory() || (uid !== undefined && st.uid !== uid)) return false;
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
  return true;
}

/** The folder work folders are made in (see the module comment). */
export function workRoot(): string {
  if (process.env.LANDWATCH_WORK) return process.env.LANDWATCH_WORK;
  const uid = process.getuid?.();
  const shared = join(tmpdir(), uid === undefined ? 'landwatch-work' : `landwatch-work-${uid}`);
  if (privateDir(shared)) return shared;
  const own = join(dataHome(), 'work');
  privateDir(own);
  return own;
}
