/**
 * kill -9 in the middle of a stream of edits: a child process applies edits and acknowledges each
 * committed one; the test kills it with SIGKILL, reopens the project file and checks that SQLite
 * finds it sound and that every acknowledged edit is there, with its history entry and undo.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ProjectStore } from '../../../electron/engine/store/project-store.js';
import { detection, newRun, tempProject } from './fixtures.js';

const here = dirname(fileURLToPath(import.meta.url));
const tsx = createRequire(import.meta.url).resolve('tsx');
const PATCHES = 40;

interface Ack {
  i: number;
  seq: number;
  kind: string;
  id: number;
  value: string;
}

/** Runs the child until it has acknowledged `atLeast` edits, then kills it with SIGKILL. */
function runAndKill(
  path: string,
  atLeast: number,
): Promise<{ acks: Ack[]; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', tsx, join(here, 'edit-stream.child.ts'), path, String(PATCHES)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const acks: Ack[] = [];
    let buffer = '';
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        const [, i, seq, kind, id, value] = line.split(' ');
        if (!killed) acks.push({ i: +i, seq: +seq, kind, id: +id, value });
      }
      if (!killed && acks.length >= atLeast) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (!killed) reject(new Error(`child exited early (code ${code}): ${stderr}`));
      else resolve({ acks, signal });
    });
  });
}

describe('crash in the middle of a batch of edits', () => {
  it('keeps every acknowledged edit and a sound database after kill -9', async () => {
    const { store, path } = tempProject('crash');
    store.addRun(
      newRun(),
      Array.from({ length: PATCHES }, (_, k) => detection(4 * (k + 1), 0, 4 * (k + 1) + 2, 2, 0.5)),
    );
    store.close();

    const { acks, signal } = await runAndKill(path, 1500);
    expect(signal).toBe('SIGKILL');
    expect(acks.length).toBeGreaterThanOrEqual(1500);

    const reopened = ProjectStore.open(path);
    try {
      expect(reopened.integrityCheck()).toBe('ok');
      const history = new Map(reopened.historyList(1_000_000).map((e) => [e.seq, e]));
      // An edit that changed nothing (a state or outline it already had) records nothing.
      const recorded = acks.filter((a) => Number.isInteger(a.seq));
      expect(recorded.length).toBeGreaterThan(acks.length * 0.9);
      // The child may have committed a few edits after the last line the parent read, never fewer.
      expect(history.size).toBeGreaterThanOrEqual(recorded.length);
      const lastNote = new Map<number, { seq: number; value: string }>();
      for (const a of recorded) {
        const entry = history.get(a.seq);
        expect(entry, `edit ${a.i} (history ${a.seq})`).toBeDefined();
        expect(entry?.status).toBe('done');
        if (a.kind === 'create') {
          expect(reopened.patch(Number(a.value)).origin).toBe('manual');
        } else {
          expect(entry?.patchIds).toEqual([String(a.id)]);
        }
        if (a.kind === 'note') lastNote.set(a.id, { seq: a.seq, value: a.value });
      }
      // The data, not just the log: each patch carries its last acknowledged note, or a later one.
      for (const [id, { value }] of lastNote) {
        const note = reopened.patch(id).attributes?.note ?? '';
        expect(Number(note.split('-')[1])).toBeGreaterThanOrEqual(Number(value.split('-')[1]));
      }
      // And the history still works after the crash.
      const top = reopened.historyStatus().undo;
      expect(top).not.toBeNull();
      expect(reopened.undo('after-crash').entry?.seq).toBe(top?.seq);
      expect(reopened.integrityCheck()).toBe('ok');
    } finally {
      reopened.close();
    }
  }, 120_000);
});
