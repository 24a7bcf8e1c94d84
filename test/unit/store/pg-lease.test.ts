/**
 * A team at work on one project (issue 17, "no lost or doubled decisions"), on real PostgreSQL:
 * leases (taken, seen, renewed, expired; writes of others refused while one is held), the
 * analyst's rules (own work packages and open patches only), supervisors' overrides and second
 * checks, work packages by area (ST_Intersects) or list with their progress, and two analysts
 * writing at once with leases.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PgReviewStore } from '../../../electron/engine/store/pg/pg-review-store.js';
import type { TeamOps } from '../../../electron/engine/store/review-store.js';
import { TeamUsers } from '../../../electron/engine/team/team-users.js';
import { startPgCluster } from '../../helpers/pg-cluster.js';
import { detection, newRun, rectRing, scene } from './fixtures.js';

const cluster = await startPgCluster();
const skip = 'skip' in cluster ? cluster.skip : null;
const url = 'skip' in cluster ? '' : await cluster.createDatabase();
afterAll(async () => {
  if (!('skip' in cluster)) await cluster.stop();
});

let n = 0;
const PASSWORD = 'correct horse battery';

describe.skipIf(skip !== null)(`a team at work on PostgreSQL${skip ? ` (${skip})` : ''}`, () => {
  let schema: string;
  let store: PgReviewStore;
  let team: TeamOps;
  beforeAll(async () => {
    const users = await TeamUsers.open(url);
    for (const [name, role] of [
      ['alice', 'analyst'],
      ['bob', 'analyst'],
      ['carol', 'supervisor'],
      ['vic', 'viewer'],
    ])
      await users.add(name, role, PASSWORD);
    await users.close();
  });
  beforeEach(async () => {
    schema = `lease_${++n}`;
    store = await PgReviewStore.create({ url, schema }, 'round', scene('before'), scene('after'));
    // Patch i + 1: x from 20·i to 20·i + 10 m, y from 0 to 10 m (from the scene's lower left).
    await store.addRun(
      newRun(),
      Array.from({ length: 20 }, (_, i) => detection(i * 20, 0, i * 20 + 10, 10, 0.5)),
    );
    team = store.team;
  });
  afterEach(async () => {
    await store.close();
  });

  it('takes, shows, renews and releases a lease; another user sees it and cannot take it', async () => {
    const taken = await team.takeLease(5, 'alice');
    expect(taken).toMatchObject({ patchId: '5', user: 'alice', mine: true });
    expect(Date.parse(taken.expiresAt) - Date.parse(taken.since)).toBeGreaterThan(299_000);
    // Bob gets Alice's lease back, unchanged, and sees it in the list and on the patch.
    expect(await team.takeLease(5, 'bob')).toEqual({ ...taken, mine: false });
    const seen = await team.leases('bob');
    expect(seen).toMatchObject({ user: 'bob', role: 'analyst' });
    expect(seen.leases).toEqual([{ ...taken, mine: false }]);
    expect((await store.patch(5)).lease).toEqual({ user: 'alice', expiresAt: taken.expiresAt });
    expect((await store.queue({}, 0, 100)).items.find((p) => p.id === '5')?.lease?.user).toBe(
      'alice',
    );
    // Taking it again renews it (same start, later end); so does a write of hers.
    await new Promise((r) => setTimeout(r, 20));
    const renewed = await team.takeLease(5, 'alice');
    expect(renewed.since).toBe(taken.since);
    expect(Date.parse(renewed.expiresAt)).toBeGreaterThan(Date.parse(taken.expiresAt));
    await new Promise((r) => setTimeout(r, 20));
    await store.review(5, 'confirmed', null, 'alice');
    const afterWrite = (await store.patch(5)).lease!;
    expect(Date.parse(afterWrite.expiresAt)).toBeGreaterThan(Date.parse(renewed.expiresAt));
    // Only its holder releases it.
    expect(await team.releaseLease(5, 'bob')).toBe(false);
    expect(await team.releaseLease(5, 'alice')).toBe(true);
    expect((await team.leases('bob')).leases).toEqual([]);
    expect((await store.patch(5)).lease).toBeNull();
    // Decided by Alice, the patch is not Bob's to lease any more; a supervisor's it is.
    await expect(team.takeLease(5, 'bob')).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
    expect(await team.takeLease(5, 'carol')).toMatchObject({ user: 'carol', mine: true });
  });

  it('lets a lease expire after the configured inactivity', async () => {
    const quick = await PgReviewStore.open({ url, schema }, { leaseSeconds: 0.5 });
    try {
      await quick.team.takeLease(3, 'alice');
      await expect(quick.review(3, 'confirmed', null, 'bob')).rejects.toMatchObject({
        code: 'E_CONFLICT',
      });
      await new Promise((r) => setTimeout(r, 700));
      expect((await quick.team.leases('bob')).leases).toEqual([]);
      expect((await quick.patch(3)).lease).toBeNull();
      // Expired: Bob may write, and take it (a new lease, from now).
      await quick.review(3, 'confirmed', null, 'bob');
      const his = await quick.team.takeLease(3, 'bob');
      expect(his).toMatchObject({ user: 'bob', mine: true });
    } finally {
      await quick.close();
    }
  });

  it('refuses another analyst’s write while a patch is leased, saying by whom since when', async () => {
    const lease = await team.takeLease(12, 'alice');
    const before = await store.patch(12);
    const since = new Date(lease.since).toISOString().slice(11, 16);
    for (const write of [
      () => store.review(12, 'rejected', 'no', 'bob'),
      () => store.setAttributes([12, 13], { note: 'x' }, 'bob'),
      () => store.deletePatches([12], 'bob'),
      () => store.merge([12, 13], undefined, 'bob'),
    ])
      await expect(write()).rejects.toMatchObject({
        code: 'E_CONFLICT',
        message: `Patch #12 is being reviewed by alice (since ${since} UTC); nothing was written. Wait until they are done, or ask a supervisor.`,
        details: { patchId: '12', leasedBy: 'alice', since: lease.since },
      });
    const after = await store.patch(12);
    expect(after.version).toBe(before.version);
    expect(await store.patchHistory(12)).toEqual([]);
    // Bob's undo of his own earlier decision is refused as well, once the patch is leased.
    await team.releaseLease(12, 'alice');
    await store.review(12, 'confirmed', null, 'bob');
    await team.takeLease(12, 'alice').catch(() => undefined); // decided by bob: not hers to take
    await team.takeLease(12, 'carol');
    await expect(store.undo('bob')).rejects.toMatchObject({ code: 'E_CONFLICT' });
    // The supervisor is not held up by anyone's lease.
    await team.releaseLease(12, 'carol');
    await team.takeLease(12, 'bob');
    await store.review(12, 'rejected', 'a shadow', 'carol');
    expect((await store.patch(12)).state).toBe('rejected');
  });

  it('records a supervisor’s override of an analyst’s decision, and shows it to the analyst', async () => {
    await store.review(3, 'confirmed', 'new shed', 'alice');
    await store.review(3, 'rejected', 'only a shadow', 'carol');
    const p = await store.patch(3);
    expect(p.override).toEqual({
      by: 'carol',
      at: p.reviewedAt,
      comment: 'only a shadow',
      previousState: 'confirmed',
      previousReviewer: 'alice',
    });
    const audit = await store.patchHistory(3);
    expect(audit.map((a) => [a.actor, a.after?.state, a.override])).toEqual([
      ['alice', 'confirmed', false],
      ['carol', 'rejected', true],
    ]);
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const rows = await db.query(
        `SELECT reviewer, state, override_of FROM ${schema}.reviews WHERE patch_id = 3 ORDER BY id`,
      );
      expect(rows.rows[0].override_of).toBeNull();
      expect(rows.rows[1]).toMatchObject({
        reviewer: 'carol',
        state: 'rejected',
        override_of: { state: 'confirmed', reviewer: 'alice', comment: 'new shed' },
      });
    } finally {
      await db.end();
    }
    // Not overrides: a supervisor deciding an open patch, or an analyst changing their own mind.
    await store.review(4, 'confirmed', null, 'carol');
    await store.review(5, 'confirmed', null, 'alice');
    await store.review(5, 'rejected', 'mistake', 'alice');
    expect((await store.patch(4)).override).toBeNull();
    expect((await store.patch(5)).override).toBeNull();
    // Undone, the override no longer stands.
    await store.undo('carol'); // #4
    await store.undo('carol'); // the override of #3
    expect(await store.patch(3)).toMatchObject({ state: 'confirmed', override: null });
  });

  it('keeps analysts to their own packages and open patches; viewers change nothing', async () => {
    await team.createPackage('carol', { name: 'east', assignee: 'bob', patchIds: [7, 8] });
    await expect(store.review(7, 'confirmed', null, 'alice')).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
      message:
        'Patch #7 is in work package "east", assigned to bob: an analyst changes the patches of their own packages and open patches only.',
    });
    await expect(store.setAttributes([1, 8], { note: 'x' }, 'alice')).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
    });
    await expect(team.takeLease(8, 'alice')).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
    await store.review(7, 'confirmed', null, 'bob');
    // An open patch decided by Bob is his (or a supervisor's) to change.
    await store.review(1, 'confirmed', null, 'bob');
    await expect(store.review(1, 'rejected', 'no', 'alice')).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
      message: 'Patch #1 was decided by bob: only they or a supervisor may change that decision.',
    });
    await store.review(2, 'confirmed', null, 'alice');
    expect((await store.patch(1)).reviewer).toBe('bob');
    await expect(store.review(9, 'confirmed', null, 'vic')).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
      message: 'vic is a viewer: viewers can read this team project but not change it.',
    });
    await expect(
      store.createPatch([rectRing(300, 300, 310, 310)], 'confirmed', null, {}, 'vic'),
    ).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
    await expect(team.takeLease(9, 'vic')).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
    // Only supervisors assign, delete packages and second-check.
    await expect(
      team.createPackage('alice', { name: 'mine', assignee: 'alice', patchIds: [10] }),
    ).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
      message: 'Only a supervisor assigns work packages; alice is an analyst.',
    });
    await expect(team.check('alice', [2])).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
    await expect(team.deletePackage('bob', 1)).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
    // Split by Bob, the pieces stay in his package.
    const [x, y] = rectRing(145, -5, 145, -5)[0];
    const split = await store.split(
      8,
      [
        [x, y],
        [x, y + 20],
      ],
      'bob',
    );
    const pieces = split.changed.filter((p) => !p.deleted).map((p) => Number(p.id));
    expect(pieces).toHaveLength(2);
    expect(
      (await store.queue({ assignee: 'bob' })).items.map((p) => Number(p.id)).sort((a, b) => a - b),
    ).toEqual([7, ...pieces].sort((a, b) => a - b));
    await expect(store.review(pieces[0], 'confirmed', null, 'alice')).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
    });
    await store.undo('bob');
    // Deleted, the package's patches are open again.
    expect(await team.deletePackage('carol', 1)).toBe(true);
    await store.review(8, 'rejected', 'no', 'alice');
  });

  it('marks decisions second-checked until the patch changes', async () => {
    await store.review(2, 'confirmed', null, 'alice');
    await expect(team.check('carol', [3])).rejects.toThrow(/has no decision yet/);
    const [checked] = await team.check('carol', [2]);
    expect(checked.secondCheck).toMatchObject({ by: 'carol' });
    expect((await store.patch(2)).secondCheck?.by).toBe('carol');
    await store.review(4, 'confirmed', null, 'carol');
    await expect(team.check('carol', [4])).rejects.toThrow(/a second check is by someone else/);
    await store.setAttributes([2], { note: 'roof' }, 'alice');
    expect((await store.patch(2)).secondCheck).toBeNull();
  });

  it('assigns a package by area with ST_Intersects, and reports everyone’s progress', async () => {
    // x 30..60 m: touches patch 2 (20..30) and 4 (60..70) on an edge, contains patch 3.
    const strip = [rectRing(30, -5, 60, 5)];
    const first = await team.createPackage('carol', {
      name: 'strip',
      assignee: 'alice',
      area: strip,
    });
    expect(first).toMatchObject({ name: 'strip', assignee: 'alice', total: 3, skipped: 0 });
    expect((await store.queue({ assignee: 'alice' })).items.map((p) => p.id).sort()).toEqual([
      '2',
      '3',
      '4',
    ]);
    // A triangle whose bounds touch patch 9 (160..170 m) but whose outline does not meet it.
    const [x0, y0] = rectRing(100, -5, 100, -5)[0];
    const triangle = [
      [
        [x0, y0],
        [x0 + 60, y0],
        [x0, y0 + 60],
        [x0, y0],
      ],
    ];
    const second = await team.createPackage('carol', {
      name: 'triangle',
      assignee: 'bob',
      area: triangle,
    });
    expect((await store.queue({ assignee: 'bob' })).items.map((p) => p.id).sort()).toEqual([
      '6',
      '7',
      '8',
    ]);
    // Overlapping areas: patches already assigned are left out (and counted).
    const third = await team.createPackage('carol', {
      name: 'wide',
      assignee: 'carol',
      area: [rectRing(45, -5, 95, 5)],
    });
    // x 45..95 m meets patches 3, 4 (alice's already) and 5.
    expect(third).toMatchObject({ total: 1, skipped: 2 });
    await expect(
      team.createPackage('carol', { name: 'again', assignee: 'bob', patchIds: [3, 11] }),
    ).rejects.toMatchObject({ code: 'E_CONFLICT', message: /#3 \(in "strip \(alice\)"\)/ });
    await expect(
      team.createPackage('carol', { name: 'viewer', assignee: 'vic', patchIds: [11] }),
    ).rejects.toThrow(/vic is a viewer/);
    await expect(
      team.createPackage('carol', {
        name: 'nowhere',
        assignee: 'bob',
        area: [rectRing(300, 300, 310, 310)],
      }),
    ).rejects.toThrow(/No live patch intersects the area/);
    await store.review(2, 'confirmed', null, 'alice');
    await store.review(3, 'rejected', 'bare soil', 'alice');
    await store.review(6, 'field_check', null, 'bob');
    const progress = await team.packages();
    expect(
      progress.map((p) => [
        p.id,
        p.name,
        p.assignee,
        p.total,
        p.reviewed,
        p.confirmed,
        p.rejected,
        p.fieldCheck,
      ]),
    ).toEqual([
      [first.id, 'strip', 'alice', 3, 2, 1, 1, 0],
      [second.id, 'triangle', 'bob', 3, 1, 0, 0, 1],
      [third.id, 'wide', 'carol', 1, 0, 0, 0, 0],
    ]);
  });

  it('loses and doubles nothing when two analysts with leases write at once', async () => {
    const other = await PgReviewStore.open({ url, schema }); // a second server process
    try {
      // Ten takes of one patch at once from two servers: one user gets it, everyone sees that one.
      const race = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 ? other : store).team.takeLease(20, i % 2 ? 'bob' : 'alice'),
        ),
      );
      const winner = race.find((l) => l.mine)!.user;
      expect(race.map((l) => l.user)).toEqual(Array(10).fill(winner));
      expect(race.map((l) => l.mine)).toEqual(
        race.map((_, i) => (i % 2 ? 'bob' : 'alice') === winner),
      );
      expect(new Set(race.map((l) => l.since)).size).toBe(1);
      await (winner === 'alice' ? store : other).team.releaseLease(20, winner);
      // Each leases half of the patches, then both try to decide every patch at once.
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? other : store).team.takeLease(i + 1, i % 2 ? 'bob' : 'alice'),
        ),
      );
      const attempts = Array.from({ length: 40 }, (_, k) => {
        const id = (k % 20) + 1;
        const user = k < 20 ? 'alice' : 'bob';
        const via = k % 3 ? store : other;
        return via
          .review(id, user === 'alice' ? 'confirmed' : 'rejected', `${user} on ${id}`, user, {
            [id]: 1,
          })
          .then(() => ({ id, user }));
      });
      const outcomes = await Promise.allSettled(attempts);
      const acknowledged = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
      const refused = outcomes.flatMap((o) =>
        o.status === 'rejected' ? [(o.reason as { code: string }).code] : [],
      );
      expect(acknowledged).toHaveLength(20);
      expect(refused).toEqual(Array(20).fill('E_CONFLICT'));
      for (const { id, user } of acknowledged) {
        expect(user).toBe(id % 2 === 0 ? 'bob' : 'alice'); // the lease holder's write
        const p = await other.patch(id);
        expect(p).toMatchObject({ reviewer: user, version: 2, comment: `${user} on ${id}` });
        expect(await store.patchHistory(id)).toHaveLength(1);
      }
      expect(await store.historyList(100)).toHaveLength(20);
    } finally {
      await other.close();
    }
  });
});
