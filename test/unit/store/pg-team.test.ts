/**
 * What only a team project has: geometry columns in the project's CRS with a GiST index, many
 * writers at once (row locks and versions: exactly one of several writers that read the same
 * version wins, the others get E_CONFLICT; nothing is lost or doubled), and undo per user that
 * refuses to overwrite someone else's later change.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PgReviewStore } from '../../../electron/engine/store/pg/pg-review-store.js';
import { startPgCluster } from '../../helpers/pg-cluster.js';
import { detection, newRun, scene } from './fixtures.js';

const cluster = await startPgCluster();
const skip = 'skip' in cluster ? cluster.skip : null;
const url = 'skip' in cluster ? '' : await cluster.createDatabase();
afterAll(async () => {
  if (!('skip' in cluster)) await cluster.stop();
});

let n = 0;

describe.skipIf(skip !== null)(`team project on PostgreSQL${skip ? ` (${skip})` : ''}`, () => {
  let schema: string;
  let a: PgReviewStore;
  let b: PgReviewStore;
  beforeEach(async () => {
    schema = `team_${++n}`;
    a = await PgReviewStore.create({ url, schema }, 'round', scene('before'), scene('after'));
    await a.addRun(
      newRun(),
      Array.from({ length: 20 }, (_, i) => detection(i * 20, 0, i * 20 + 10, 10, 0.5)),
    );
    // A second server process on the same project: its own pool.
    b = await PgReviewStore.open({ url, schema });
  });
  afterEach(async () => {
    await a.close();
    await b.close();
  });

  it('keeps outlines in the project CRS with a spatial index', async () => {
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const srid = await db.query("SELECT Find_SRID($1, 'patches', 'geom') AS s", [schema]);
      expect(srid.rows[0].s).toBe(32650);
      const idx = await db.query('SELECT indexdef FROM pg_indexes WHERE schemaname = $1', [schema]);
      expect(idx.rows.map((r) => r.indexdef).join('\n')).toMatch(
        /patches_geom ON .* USING gist \(geom\)/,
      );
      const area = await db.query(`SELECT ST_Area(geom) AS a FROM ${schema}.patches WHERE id = 1`);
      expect(area.rows[0].a).toBe(100);
    } finally {
      await db.end();
    }
    await expect(
      PgReviewStore.create({ url, schema }, 'again', scene('before'), scene('after')),
    ).rejects.toThrow(/a team project already exists there/);
    await expect(PgReviewStore.open({ url, schema: 'nothing_here' })).rejects.toThrow(
      /no team project there/,
    );
    await expect(PgReviewStore.open({ url, schema: 'Bad-Name' })).rejects.toThrow(/schema name/);
  });

  it('lets exactly one of eight writers that read the same version win', async () => {
    const read = (await a.patch(5)).version!;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? a : b).review(5, 'confirmed', `writer ${i}`, `analyst-${i}`, { 5: read }),
      ),
    );
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o) => o.status === 'rejected') as PromiseRejectedResult[];
    expect(won).toHaveLength(1);
    expect(lost.map((o) => (o.reason as { code: string }).code)).toEqual(
      Array(7).fill('E_CONFLICT'),
    );
    const p = await b.patch(5);
    expect(p.version).toBe(read + 1);
    expect(await a.patchHistory(5)).toHaveLength(1);
    expect(lost[0].reason.message).toContain(`changed by ${p.reviewer}`);
  });

  it('loses and doubles nothing when two servers write at once', async () => {
    // 40 writes without versions from 2 servers × 20 analysts: each patch reviewed twice.
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? a : b).review((i % 20) + 1, i < 20 ? 'confirmed' : 'field_check', null, `an-${i}`),
      ),
    );
    const patches = await a.patches();
    // Both writes of each patch landed, one after the other (in whichever order they ran).
    expect(patches.map((p) => p.version)).toEqual(Array(20).fill(3));
    for (const p of patches) {
      const audit = await a.patchHistory(Number(p.id));
      expect(audit.map((r) => r.after?.state).sort()).toEqual(['confirmed', 'field_check']);
      expect(audit[1].before?.state).toBe(audit[0].after?.state);
      expect(p.state).toBe(audit[1].after?.state);
    }
    const history = await b.historyList(100);
    expect(history).toHaveLength(40);
    expect(new Set(history.map((h) => h.seq)).size).toBe(40);
    const drawn = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 ? a : b).createPatch(
          [
            [
              [500_000 + i * 30, 3_499_700],
              [500_010 + i * 30, 3_499_700],
              [500_010 + i * 30, 3_499_710],
              [500_000 + i * 30, 3_499_700],
            ],
          ],
          'unreviewed',
          null,
          {},
          `an-${i}`,
        ),
      ),
    );
    expect(drawn.map((d) => d.changed[0].number).sort((x, y) => x - y)).toEqual([
      21, 22, 23, 24, 25, 26,
    ]);
  });

  it('undoes per user and never over someone else’s later change', async () => {
    await a.review(1, 'confirmed', null, 'alice');
    await b.review(2, 'rejected', null, 'bob');
    expect((await a.historyStatus('alice')).undo?.summary).toBe('Confirmed patch #1');
    expect((await a.historyStatus('bob')).undo?.summary).toBe('Rejected patch #2');
    // Alice's undo takes back her own decision, not Bob's newer one.
    await a.undo('alice');
    expect((await a.patch(1)).state).toBe('unreviewed');
    expect((await a.patch(2)).state).toBe('rejected');
    await a.redo('alice');
    // Bob changes Alice's patch; her undo would overwrite him, so it is refused.
    await b.review(1, 'field_check', null, 'bob');
    await expect(a.undo('alice')).rejects.toMatchObject({
      code: 'E_CONFLICT',
      message: expect.stringMatching(
        /Cannot undo "Confirmed patch #1": patch #1 was changed by bob/,
      ),
    });
    expect((await a.patch(1)).state).toBe('field_check');
    // A change to other columns of the patch does not stand in the way.
    await b.setAttributes([2], { note: 'seen' }, 'carol');
    await b.undo('bob'); // bob's field_check on #1
    await b.undo('bob'); // bob's rejection of #2
    expect(await a.patch(2)).toMatchObject({ state: 'unreviewed', attributes: { note: 'seen' } });
  });
});
