/**
 * `landwatch team push | checkout | return`: moving work between a local project file and a team
 * project (PostgreSQL). Push makes a new team project from a file; checkout takes a work package
 * offline into a new file; return brings its decisions and edits back, listing conflicts.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LandWatchError } from '../engine/errors.js';
import { readCheckoutArea } from '../engine/team/checkout-area.js';
import { checkoutPatches, type CheckoutSelection } from '../engine/team/team-checkout.js';
import { pushProject } from '../engine/team/team-push.js';
import { returnCheckout, type ReturnResult } from '../engine/team/team-return.js';
import { checkOutputPaths } from '../engine/export/output-paths.js';
import { teamTarget } from '../engine/team/team-target.js';

export const TEAM_MOVE_USAGE = `  landwatch team push <project.landwatch> --db <postgres://…> --schema <name>   a new team project from a file
  landwatch team checkout --db <url> --schema <name> (--ids 1,5,9 | --area <polygon.geojson> | --all) --out <p.landwatch>
  landwatch team return <p.landwatch> [--db <url>] [--json]   the checkout's work back; conflicts listed`;

const bad = (message: string) =>
  new LandWatchError('E_BAD_REQUEST', `${message}\n${TEAM_MOVE_USAGE}`);

export type Out = (line: string) => void;

export async function runTeamMoveCommand(argv: string[], out: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      db: { type: 'string' },
      schema: { type: 'string' },
      ids: { type: 'string' },
      area: { type: 'string' },
      all: { type: 'boolean', default: false },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const [action, file] = positionals;
  switch (action) {
    case 'push': {
      if (!file) throw bad('give the project file to push.');
      if (!values.db) throw bad('--db <postgres://…> is required.');
      if (!values.schema) throw bad('--schema <name> is required (the new team project).');
      const r = await pushProject(resolve(file), teamTarget(values.db, values.schema));
      out(
        `pushed ${r.patches} patches, ${r.runs} runs, ${r.reviews} reviews, ${r.history} history entries, ${r.audit} audit rows → schema ${r.schema} of ${r.server}`,
      );
      for (const n of r.notCarried) out(`not carried: ${n}`);
      return 0;
    }
    case 'checkout': {
      if (!values.db) throw bad('--db <postgres://…> is required.');
      if (!values.schema) throw bad('--schema <name> is required.');
      if (!values.out) throw bad('--out <p.landwatch> is required.');
      const target = teamTarget(values.db, values.schema);
      const chosen = [values.ids !== undefined, values.area !== undefined, values.all].filter(
        Boolean,
      ).length;
      if (chosen !== 1) throw bad('choose the patches with exactly one of --ids, --area, --all.');
      const outPath = resolve(values.out);
      checkOutputPaths([{ flag: '--out', path: outPath }], false);
      const selection: CheckoutSelection = values.all
        ? { all: true }
        : values.area !== undefined
          ? { area: readCheckoutArea(resolve(values.area)) }
          : { numbers: parseIds(values.ids!) };
      const r = await checkoutPatches(target, selection, outPath);
      out(
        `checked out ${r.patches} patches (${r.runs} runs) from schema ${r.record.schema} → ${r.path}`,
      );
      return 0;
    }
    case 'return': {
      if (!file) throw bad('give the checked-out project file to return.');
      const r = await returnCheckout(
        resolve(file),
        values.db ? { url: teamTarget(values.db).url } : {},
      );
      if (values.json) out(JSON.stringify(r, null, 2));
      else for (const line of returnTable(r)) out(line);
      return 0;
    }
    default:
      throw bad(`unknown team command "${action ?? ''}".`);
  }
}

function parseIds(text: string): number[] {
  const ids = text.split(',').map((n) => Number(n.trim()));
  if (ids.length === 0 || ids.some((n) => !Number.isInteger(n) || n < 1))
    throw bad(`--ids ${text}: give patch numbers like 1,5,9.`);
  return ids;
}

/** The return as a table people read: what was applied, what conflicts, what was skipped. */
export function returnTable(r: ReturnResult): string[] {
  const lines = [
    `returned to schema ${r.schema} of ${r.db}: ${r.applied.length} applied, ${r.conflicts.length} conflicts, ${r.unchanged} unchanged`,
  ];
  if (r.applied.length > 0) {
    lines.push('applied   patches        by          change');
    for (const a of r.applied)
      lines.push(
        `          ${a.numbers
          .map((n) => `#${n}`)
          .join(' ')
          .padEnd(14)} ${a.actor.padEnd(11)} ${a.summary}`,
      );
  }
  if (r.conflicts.length > 0) {
    lines.push(
      'conflict  patch  changed on the server by / at        offline wanted (not written)',
    );
    for (const c of r.conflicts)
      lines.push(
        `          #${String(c.number).padEnd(5)} ${`${c.changedBy ?? '?'} ${c.changedAt ?? ''}`.padEnd(37)} ${c.wanted}`,
      );
  }
  for (const s of r.skipped) lines.push(`skipped   ${s}`);
  return lines;
}
