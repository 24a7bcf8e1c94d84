/**
 * `landwatch similar`: the patches of a project most like one patch, by the L1 distance of their
 * patch codes (METHODS M5), as a table. Patches without a current code are coded first (progress
 * on stderr), and the codes are stored in the project, as the app does.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { reviewStateSchema, type ReviewState } from '../common/contract.js';
import { projectCodes } from '../engine/codes/project-codes.js';
import { LandWatchError } from '../engine/errors.js';
import { ProjectStore } from '../engine/store/project-store.js';

/** Usage lines for `landwatch --help`. */
export const SIMILAR_USAGE = `  landwatch similar <file.landwatch> <patch-number> [--limit 10] [--states confirmed,rejected]
                                                       patches most like one (patch codes)`;

const bad = (message: string) => new LandWatchError('E_BAD_REQUEST', `similar: ${message}`);

function parseStates(text: string | undefined): ReviewState[] | undefined {
  if (text === undefined) return undefined;
  return text.split(',').map((s) => {
    const parsed = reviewStateSchema.safeParse(s.trim());
    if (!parsed.success)
      throw bad(`--states: "${s}" is not a state (unreviewed, confirmed, rejected, field_check).`);
    return parsed.data;
  });
}

export async function runSimilarCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { limit: { type: 'string', default: '10' }, states: { type: 'string' } },
  });
  const [project, numberText, ...extra] = positionals;
  if (!project || !numberText) throw bad('give a project file and a patch number.');
  if (extra.length > 0) throw bad(`unexpected "${extra[0]}".`);
  const number = Number(numberText);
  if (!Number.isInteger(number) || number < 1) throw bad(`"${numberText}" is not a patch number.`);
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500)
    throw bad(`--limit ${values.limit}: give a whole number from 1 to 500.`);
  const states = parseStates(values.states);
  const store = ProjectStore.open(resolve(project));
  try {
    const row = store.db.prepare('SELECT id FROM patches WHERE number = ?').get(number) as
      { id: number } | undefined;
    if (!row) throw bad(`${store.name} has no patch #${number}.`);
    const codes = projectCodes(store);
    await codes.ensure({
      onProgress: (done, total) => process.stderr.write(`coding patches ${done}/${total}\r`),
    });
    const result = await codes.similar(row.id, limit, states);
    const query = store.patch(row.id);
    process.stdout.write(
      `patch #${number} (${query.state}, ${query.areaM2.toFixed(0)} m²), model ${result.modelId}, ` +
        `close at distance ≤ ${result.closeDistance}\n`,
    );
    const head = ['rank', 'patch', 'distance', 'state', 'class', 'area m²', 'run'];
    const rows = result.items.map((it, i) => [
      String(i + 1),
      `#${it.patch.number}`,
      String(it.distance),
      it.patch.state,
      it.patch.attributes?.changeClass ?? '—',
      it.patch.areaM2.toFixed(0),
      it.patch.runId.slice(0, 8),
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    for (const r of [head, ...rows])
      process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i])).join('  ')}\n`);
    if (rows.length === 0) process.stdout.write('(no other live patch has a code)\n');
    return 0;
  } finally {
    store.close();
  }
}
