/**
 * Child process of the crash test (crash.test.ts): opens a project and applies an endless stream
 * of edits of every kind, printing `ack <i> <history seq> <kind> <patch id> <value>` after each
 * one has committed. Writes to a pipe are synchronous in Node on Linux and macOS, so a line the
 * parent has read is an edit that was in the database before the line was written.
 *
 * Usage: node --import tsx edit-stream.child.ts <project file> <patch count>
 */
import { ProjectStore } from '../../../electron/engine/store/project-store.js';
import { rectRing } from './fixtures.js';

const [path, countArg] = process.argv.slice(2);
const patches = Number(countArg);
const store = ProjectStore.open(path);
const states = ['confirmed', 'field_check', 'unreviewed'] as const;

for (let i = 0; ; i++) {
  const id = (i % patches) + 1;
  let kind: string;
  let value: string;
  let seq: number | undefined;
  switch (i % 5) {
    case 0: {
      kind = 'review';
      value = states[Math.floor(i / 5) % 3];
      seq = store.reviewMany([id], value as (typeof states)[number], null, 'stream').entry?.seq;
      break;
    }
    case 1:
    case 2: {
      kind = 'note';
      value = `edit-${i}`;
      seq = store.setAttributes([id], { note: value }, 'stream').entry?.seq;
      break;
    }
    case 3: {
      // Patch k is the 2 m square at x = 4k; its outline grows and shrinks by a few cm.
      kind = 'geometry';
      const w = 2 + (i % 7) * 0.01;
      value = String(w * 2);
      seq = store.setGeometry(id, [rectRing(4 * id, 0, 4 * id + w, 2)], 'stream').entry?.seq;
      break;
    }
    default: {
      kind = 'create';
      const r = store.createPatch(
        [rectRing(i % 500, 300, (i % 500) + 1, 301)],
        'confirmed',
        null,
        {},
        'stream',
      );
      value = r.changed[0].id;
      seq = r.entry?.seq;
    }
  }
  process.stdout.write(`ack ${i} ${seq} ${kind} ${id} ${value}\n`);
}
