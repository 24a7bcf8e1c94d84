/**
 * Two processes writing one project (issue 18): one undoing, one editing. Every write transaction
 * is IMMEDIATE with a busy timeout, so neither ever fails with "database is locked".
 * LANDWATCH_WRITERS_MS sets how long they run (default 5 s; the field test ran 20 s).
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { detection, newRun, tempProject } from './fixtures.js';

const here = dirname(fileURLToPath(import.meta.url));
const tsx = createRequire(import.meta.url).resolve('tsx');
const PATCHES = 20;
const MS = Number(process.env.LANDWATCH_WRITERS_MS ?? 5000);

interface Outcome {
  ops: number;
  locked: number;
  errors: string[];
}

function writer(path: string, mode: 'edit' | 'undo'): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', tsx, join(here, 'undo-edit.child.ts'), path, mode, String(MS), String(PATCHES)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`${mode} writer exited ${code}: ${err}`));
      else resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}') as Outcome);
    });
  });
}

describe('two processes writing one project', () => {
  it(
    `undo and edits for ${MS / 1000} s: 0 "database is locked"`,
    async () => {
      const { store, path } = tempProject('writers');
      store.addRun(
        newRun(),
        Array.from({ length: PATCHES }, (_, k) => detection(4 * (k + 1), 0, 4 * (k + 1) + 2, 2)),
      );
      store.close();
      const [undo, edit] = await Promise.all([writer(path, 'undo'), writer(path, 'edit')]);
      expect(undo.locked + edit.locked).toBe(0);
      expect([...undo.errors, ...edit.errors]).toEqual([]);
      // Both really ran side by side.
      expect(undo.ops).toBeGreaterThan(50);
      expect(edit.ops).toBeGreaterThan(50);
    },
    MS + 60_000,
  );
});
