/**
 * A local project pushed into a team project keeps everything: counts, states, areas, outlines,
 * provenance, history and audit with their actors; exports of both are the same feature for
 * feature; bad input gets one clear message and writes nothing.
 */
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgReviewStore } from '../../../electron/engine/store/pg/pg-review-store.js';
import type { ProjectStore } from '../../../electron/engine/store/project-store.js';
import { pushProject } from '../../../electron/engine/team/team-push.js';
import { startPgCluster } from '../../helpers/pg-cluster.js';
import { richProject } from './move-fixture.js';

const cluster = await startPgCluster();
const skip = 'skip' in cluster ? cluster.skip : null;
const url = 'skip' in cluster ? '' : await cluster.createDatabase();
afterAll(async () => {
  if (!('skip' in cluster)) await cluster.stop();
});

/**
 * What must survive a push, per patch (ids, numbers and everything an analyst sees); the team's
 * own fields (lease, override, second check) are compared only where set.
 */
const seen = (p: Awaited<ReturnType<PgReviewStore['patch']>>) => {
  const { lease, override, secondCheck, ...rest } = p;
  return {
    ...rest,
    ...(lease ? { lease } : {}),
    ...(override ? { override } : {}),
    ...(secondCheck ? { secondCheck } : {}),
    version: undefined,
    updatedAt: p.updatedAt,
  };
};

/** An audit trail without the team's override flag where it is not an override. */
const trail = (entries: { override?: unknown }[]) =>
  entries.map(({ override, ...rest }) => (override ? { ...rest, override } : rest));

describe.skipIf(skip !== null)(`team push${skip ? ` (${skip})` : ''}`, () => {
  let local: { store: ProjectStore; path: string; dir: string };
  let team: PgReviewStore;
  beforeAll(async () => {
    local = richProject();
    local.store.close();
    const result = await pushProject(local.path, { url, schema: 'pushed' });
    expect(result).toMatchObject({ schema: 'pushed', patches: 17, notCarried: [] });
    team = await PgReviewStore.open({ url, schema: 'pushed' });
    const { ProjectStore: Store } = await import('../../../electron/engine/store/project-store.js');
    local.store = Store.open(local.path);
  });
  afterAll(async () => {
    await team?.close();
    local?.store.close();
    if (local) rmSync(local.dir, { recursive: true, force: true });
  });

  it('keeps counts, states, areas, outlines and provenance of every patch', async () => {
    expect(await team.summary()).toEqual(local.store.summary());
    expect(await team.name()).toBe(local.store.name);
    expect((await team.runs()).map((r) => [r.id, r.patchCount])).toEqual(
      local.store.runs().map((r) => [r.id, r.patchCount]),
    );
    const ids = Array.from({ length: 17 }, (_, i) => i + 1);
    for (const id of ids) {
      const a = local.store.patch(id);
      const b = await team.patch(id).catch(() => null);
      if (a.deleted && !b) continue; // void patches are not addressable on either side
      expect(seen(b!)).toEqual(seen(a));
      expect(b!.version).toBe(1);
    }
    expect((await team.patches()).map((p) => p.number)).toEqual(
      local.store.patches().map((p) => p.number),
    );
  });

  it('keeps history and audit with their actors and times', async () => {
    expect(await team.historyList(100)).toEqual(local.store.historyList(100));
    for (const id of [1, 4, 5, 17])
      expect(trail(await team.patchHistory(id))).toEqual(trail(local.store.patchHistory(id)));
    expect(await team.codeLists()).toEqual(local.store.codeLists());
    expect(await team.settings()).toEqual(local.store.settings());
    // Per-user undo on the team side works on pushed history: bob's newest is the drawn patch.
    expect((await team.historyStatus('bob')).undo?.summary).toMatch(/Drew a new patch/);
    const total = (await team.summary()).total;
    await team.undo('bob');
    expect((await team.summary()).total).toBe(total - 1);
    await team.redo('bob');
    expect((await team.summary()).total).toBe(total);
  });

  it('refuses a schema that already holds a team project, and writes nothing new', async () => {
    await expect(pushProject(local.path, { url, schema: 'pushed' })).rejects.toThrow(
      /Schema "pushed" of 127\.0\.0\.1:\d+\/\S+ already holds a team project; push makes new team projects only/,
    );
    expect((await team.summary()).total).toBe(local.store.summary().total);
    // A schema holding something else is refused too, and left as it was.
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      await db.query('CREATE SCHEMA other; CREATE TABLE other.parcels (id int)');
      await expect(pushProject(local.path, { url, schema: 'other' })).rejects.toThrow(
        /Schema "other" of .* already exists \(1 tables\); push makes a new schema/,
      );
      const left = await db.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'other'",
      );
      expect(left.rows).toEqual([{ table_name: 'parcels' }]);
    } finally {
      await db.end();
    }
  });

  it('keeps nothing when the copy fails half-way', async () => {
    const broken = join(local.dir, 'broken.landwatch');
    copyFileSync(local.path, broken);
    const db = new Database(broken);
    db.prepare(
      `UPDATE patches SET geometry = '{"type":"Point","coordinates":[500010,3499490]}' WHERE id = 9`,
    ).run();
    db.close();
    await expect(pushProject(broken, { url, schema: 'half' })).rejects.toThrow(
      /^broken\.landwatch could not be copied into schema "half" of .*, so nothing was kept there: .*check constraint/,
    );
    const pgdb = new pg.Client({ connectionString: url });
    await pgdb.connect();
    const schemas = await pgdb.query("SELECT 1 FROM pg_namespace WHERE nspname = 'half'");
    await pgdb.end();
    expect(schemas.rows).toEqual([]);
  });

  it('gives one clear message for an unreachable database or a bad schema name', async () => {
    await expect(
      pushProject(local.path, { url: 'postgres://lw:secret@127.0.0.1:1/x', schema: 'a' }),
    ).rejects.toThrow(/^Cannot reach the team database at 127\.0\.0\.1:1\/x \(ECONNREFUSED\)/);
    await expect(pushProject(local.path, { url, schema: 'Bad-Name' })).rejects.toThrow(
      /not a usable team project schema name/,
    );
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    const schemas = await db.query(
      "SELECT nspname FROM pg_namespace WHERE nspname IN ('a', 'Bad-Name')",
    );
    await db.end();
    expect(schemas.rows).toEqual([]);
  });
});
