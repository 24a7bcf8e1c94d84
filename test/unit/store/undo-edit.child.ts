/**
 * Child process of the two-writer test (concurrent-writers.test.ts): for `ms` milliseconds, either
 * edits patches (`edit`) or alternates an edit with `history.undo` (`undo`) on one project, then
 * prints `{"ops":…,"locked":…,"errors":[…]}`. Undo reads the history before it writes, the case a
 * deferred transaction failed on with "database is locked".
 *
 * Usage: node --import tsx undo-edit.child.ts <project file> <edit|undo> <ms> <patch count>
 */
import { ProjectStore } from '../../../electron/engine/store/project-store.js';

const [path, mode, msArg, countArg] = process.argv.slice(2);
const patches = Number(countArg);
const store = ProjectStore.open(path);
const states = ['confirmed', 'rejected', 'field_check', 'unreviewed'] as const;
const end = Date.now() + Number(msArg);
let ops = 0;
let locked = 0;
const errors: string[] = [];

for (let i = 0; Date.now() < end; i++) {
  const id = ((i * 7 + (mode === 'undo' ? 3 : 0)) % patches) + 1;
  try {
    if (mode === 'undo' && i % 2 === 1) store.undo(`undo-${process.pid}`);
    else if (i % 3 === 0) store.setAttributes([id], { note: `${mode}-${i}` }, mode);
    else store.reviewMany([id], states[i % states.length], null, mode);
    ops++;
  } catch (error) {
    const message = (error as Error).message;
    if (/locked|busy/i.test(message)) locked++;
    else if (errors.length < 5) errors.push(message);
  }
}
store.close();
process.stdout.write(`${JSON.stringify({ ops, locked, errors })}\n`);
