/**
 * The lock that keeps two runs out of one work folder: a file `lock` holding the owner's pid,
 * refreshed every 2 s while the run lives. A lock whose process is gone, or that was not refreshed
 * for 10 s (a terminated worker thread in a live process), is stale and taken over.
 */
import { readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const LOCK_STALE_MS = 10_000;
const HEARTBEAT_MS = 2_000;

/** Creates the lock, or takes over a stale one; false when a live run holds it. */
export function takeLock(dir: string): boolean {
  const path = join(dir, 'lock');
  const body = JSON.stringify({ pid: process.pid, since: new Date().toISOString() });
  try {
    writeFileSync(path, body, { flag: 'wx' });
    return true;
  } catch {
    // Held: stale when its process is gone or it stopped being refreshed.
  }
  let stale = true;
  try {
    const { pid } = JSON.parse(readFileSync(path, 'utf8')) as { pid: number };
    const fresh = Date.now() - statSync(path).mtimeMs < LOCK_STALE_MS;
    stale = !fresh || !alive(pid);
  } catch {
    stale = true;
  }
  if (!stale) return false;
  writeFileSync(path, body);
  return true;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function touch(path: string): void {
  try {
    const now = new Date();
    utimesSync(path, now, now);
  } catch {
    // The folder was removed under us; the run itself will report that.
  }
}

/** Keeps the lock of `dir` fresh until the returned timer is cleared (it never holds the process). */
export function heartbeat(dir: string): NodeJS.Timeout {
  const timer = setInterval(() => touch(join(dir, 'lock')), HEARTBEAT_MS);
  timer.unref();
  return timer;
}

/** Removes the lock of `dir` (the run's files stay). */
export function releaseLock(dir: string): void {
  rmSync(join(dir, 'lock'), { force: true });
}
