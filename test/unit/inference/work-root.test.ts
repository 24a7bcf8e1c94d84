/**
 * The default work folder is this user's own and private (issue 18): `landwatch-work-<uid>` in the
 * temp folder, 0700; one that someone else planted there (a link, another owner) is not used.
 */
import { chownSync, lstatSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { workRoot } from '../../../electron/engine/inference/work-root.js';

const posix = process.platform !== 'win32';
const KEYS = ['LANDWATCH_WORK', 'TMPDIR', 'LANDWATCH_HOME'] as const;
const saved = KEYS.map((k) => process.env[k]);
let tmp: string;
let home: string;

beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'lw-workroot-'));
  home = mkdtempSync(join(tmpdir(), 'lw-workroot-home-'));
  delete process.env.LANDWATCH_WORK;
  process.env.TMPDIR = tmp;
  process.env.LANDWATCH_HOME = home;
});
afterEach(() => {
  KEYS.forEach((k, i) => {
    if (saved[i] === undefined) delete process.env[k];
    else process.env[k] = saved[i];
  });
});

describe.skipIf(!posix)('default work folder', () => {
  const mine = () => join(tmp, `landwatch-work-${process.getuid?.()}`);

  it('is per user and private', () => {
    expect(workRoot()).toBe(mine());
    expect(lstatSync(mine()).mode & 0o777).toBe(0o700);
  });

  it('an existing one left open to others is made private', () => {
    mkdirSync(mine(), { mode: 0o777 });
    expect(workRoot()).toBe(mine());
    expect(lstatSync(mine()).mode & 0o777).toBe(0o700);
  });

  it('a symbolic link planted under its name is not followed', () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'lw-planted-'));
    symlinkSync(elsewhere, mine());
    expect(workRoot()).toBe(join(home, 'work'));
    expect(lstatSync(join(home, 'work')).mode & 0o777).toBe(0o700);
  });

  it.skipIf(process.getuid?.() !== 0)('a folder owned by another user is not used', () => {
    mkdirSync(mine(), { mode: 0o777 });
    chownSync(mine(), 65534, 65534);
    expect(workRoot()).toBe(join(home, 'work'));
  });

  it('LANDWATCH_WORK still wins', () => {
    process.env.LANDWATCH_WORK = join(tmp, 'chosen');
    expect(workRoot()).toBe(join(tmp, 'chosen'));
  });
});
