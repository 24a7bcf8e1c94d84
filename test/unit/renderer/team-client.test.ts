/**
 * The renderer's team client (renderer/src/team/team-client.ts) against the real handlers and a
 * real team project on PostgreSQL, as two analysts and a supervisor would use it: one's lease is
 * seen by the other and locks the panel; a write on it, or on a version someone has since changed,
 * is refused with a message saying who and when; a supervisor's override reaches the analyst. On a
 * local project file the team channels answer empty or refuse clearly.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Channel, LandWatchApi, PatchView } from '../../../electron/common/contract.js';
import { contract } from '../../../electron/common/contract.js';
import { leaseHandlers } from '../../../electron/engine/api/lease-handlers.js';
import { patchHandlers } from '../../../electron/engine/api/patch-handlers.js';
import { PgReviewStore } from '../../../electron/engine/store/pg/pg-review-store.js';
import type { ReviewStore } from '../../../electron/engine/store/review-store.js';
import { SqliteReviewStore } from '../../../electron/engine/store/sqlite-review-store.js';
import { TeamUsers } from '../../../electron/engine/team/team-users.js';
import {
  EMPTY_TEAM,
  TeamClient,
  lockReason,
  overrideText,
} from '../../../renderer/src/team/team-client.js';
import { startPgCluster } from '../../helpers/pg-cluster.js';
import { detection, newRun, scene, tempProject } from '../store/fixtures.js';

/** The API as `actor` sees it: payloads checked by the contract, then the real handlers. */
function apiAs(store: ReviewStore, actor: string): LandWatchApi {
  const handlers = {
    ...patchHandlers(
      () => store,
      () => actor,
    ),
    ...leaseHandlers(
      () => store,
      () => actor,
    ),
  } as Record<string, (req: unknown) => Promise<unknown>>;
  return {
    invoke: (async (channel: Channel, request: unknown) => {
      const parsed = contract[channel].request.parse(request);
      return handlers[channel](parsed);
    }) as LandWatchApi['invoke'],
    onEvent: () => () => undefined,
  };
}

function clientOf(api: LandWatchApi): { client: TeamClient; errors: unknown[] } {
  const errors: unknown[] = [];
  const client = new TeamClient({
    api,
    onChange: () => undefined,
    onError: (err) => errors.push(err),
  });
  return { client, errors };
}

const patch = (over: Partial<PatchView>): PatchView =>
  ({ id: '5', number: 5, state: 'unreviewed', ...over }) as PatchView;

describe('team client: what the panel shows', () => {
  it('locks a patch leased by someone else, except for supervisors', () => {
    const leases = new Map([
      ['5', { patchId: '5', user: 'alice', since: '', expiresAt: '', mine: false }],
    ]);
    const team = { ...EMPTY_TEAM, active: true, me: 'bob', role: 'analyst' as const, leases };
    expect(lockReason(team, patch({}))).toBe('Being reviewed by alice');
    expect(lockReason(team, patch({ id: '6' }))).toBeNull();
    expect(lockReason({ ...team, role: 'supervisor' }, patch({}))).toBeNull();
    expect(lockReason({ ...team, role: 'viewer' }, patch({ id: '6' }))).toMatch(/viewer/);
    expect(lockReason({ ...team, active: false }, patch({}))).toBeNull();
    expect(overrideText(patch({}))).toBeNull();
    expect(
      overrideText(
        patch({
          override: {
            by: 'carol',
            at: '',
            comment: 'only a shadow',
            previousState: 'field_check',
            previousReviewer: 'alice',
          },
        }),
      ),
    ).toBe('Overridden by supervisor carol: only a shadow (was field check by alice)');
  });

  it('on a local project file, answers empty and refuses team writes clearly', async () => {
    const { store, dir } = tempProject();
    const api = apiAs(new SqliteReviewStore(store), 'me');
    try {
      expect(await api.invoke('leases.list', { projectId: 'p' })).toEqual({
        user: 'me',
        role: null,
        leases: [],
      });
      expect(await api.invoke('packages.list', { projectId: 'p' })).toEqual([]);
      await expect(api.invoke('leases.take', { projectId: 'p', patchId: '1' })).rejects.toThrow(
        'Leases belong to team projects (PostgreSQL); this is a local project file with a single analyst.',
      );
      await expect(
        api.invoke('patches.queue', { projectId: 'p', filter: { assignee: 'me' } }),
      ).rejects.toThrow(/needs a team project/);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const cluster = await startPgCluster();
const skip = 'skip' in cluster ? cluster.skip : null;

describe.skipIf(skip !== null)(`team client on PostgreSQL${skip ? ` (${skip})` : ''}`, () => {
  let store: PgReviewStore;
  beforeAll(async () => {
    if ('skip' in cluster) return;
    const url = await cluster.createDatabase();
    const users = await TeamUsers.open(url);
    await users.add('alice', 'analyst', 'correct horse battery');
    await users.add('bob', 'analyst', 'correct horse battery');
    await users.add('carol', 'supervisor', 'correct horse battery');
    await users.close();
    store = await PgReviewStore.create(
      { url, schema: 'round' },
      'r',
      scene('before'),
      scene('after'),
    );
    await store.addRun(
      newRun(),
      Array.from({ length: 8 }, (_, i) => detection(i * 20, 0, i * 20 + 10, 10, 0.5)),
    );
  });
  afterAll(async () => {
    await store?.close();
    if (!('skip' in cluster)) await cluster.stop();
  });

  it('shows one analyst’s lease to the other, refuses stale writes clearly, shows overrides', async () => {
    const aliceApi = apiAs(store, 'alice');
    const bobApi = apiAs(store, 'bob');
    const alice = clientOf(aliceApi);
    const bob = clientOf(bobApi);
    try {
      alice.client.setProject('round', true);
      bob.client.setProject('round', true);
      alice.client.setSelected('5');
      await vi.waitFor(() => expect(alice.client.snapshot.leases.get('5')?.mine).toBe(true));
      await bob.client.refresh();
      const p5 = await bobApi.invoke('patches.get', { projectId: 'round', patchId: '5' });
      expect(bob.client.snapshot).toMatchObject({ me: 'bob', role: 'analyst' });
      expect(lockReason(bob.client.snapshot, p5)).toBe('Being reviewed by alice');
      expect(p5.lease?.user).toBe('alice');

      // Bob opens it anyway: Alice keeps it, and his write is refused, saying by whom.
      bob.client.setSelected('5');
      await vi.waitFor(() => expect(bob.client.snapshot.leases.get('5')?.user).toBe('alice'));
      const refused = await bobApi
        .invoke('patches.review', {
          projectId: 'round',
          patchId: '5',
          state: 'rejected',
          comment: 'no',
          expectVersions: { '5': p5.version! },
        })
        .catch((err: unknown) => err);
      expect(bob.client.conflict(refused, '5')).toBe(true);
      expect(bob.client.snapshot.stale?.message).toMatch(
        /^Patch #5 is being reviewed by alice \(since \d\d:\d\d UTC\); nothing was written\./,
      );

      // Bob reads #6, Alice decides it first: his decision on the old version is refused.
      const p6 = await bobApi.invoke('patches.get', { projectId: 'round', patchId: '6' });
      await aliceApi.invoke('patches.review', {
        projectId: 'round',
        patchId: '6',
        state: 'confirmed',
        expectVersions: { '6': p6.version! },
      });
      const stale = await bobApi
        .invoke('patches.review', {
          projectId: 'round',
          patchId: '6',
          state: 'rejected',
          comment: 'no',
          expectVersions: { '6': p6.version! },
        })
        .catch((err: unknown) => err);
      expect((stale as { code: string }).code).toBe('E_CONFLICT');
      expect((stale as Error).message).toMatch(/^Patch #6 was changed by alice at .* \(review\)/);

      // The supervisor overrides Alice's decision; Alice sees it on the patch.
      await apiAs(store, 'carol').invoke('patches.review', {
        projectId: 'round',
        patchId: '6',
        state: 'rejected',
        comment: 'a greenhouse frame',
      });
      const seen = await aliceApi.invoke('patches.get', { projectId: 'round', patchId: '6' });
      expect(overrideText(seen)).toBe(
        'Overridden by supervisor carol: a greenhouse frame (was confirmed by alice)',
      );
      const history = await aliceApi.invoke('patches.history', {
        projectId: 'round',
        patchId: '6',
      });
      expect(history.map((h) => [h.actor, h.override])).toEqual([
        ['alice', false],
        ['carol', true],
      ]);

      // Leaving the patch releases Alice's lease; Bob may then take it.
      alice.client.setSelected(null);
      await vi.waitFor(async () =>
        expect((await bobApi.invoke('leases.list', { projectId: 'round' })).leases).toEqual([]),
      );
      const mine = await bobApi.invoke('leases.take', { projectId: 'round', patchId: '5' });
      expect(mine).toMatchObject({ user: 'bob', mine: true });
      expect(alice.errors).toEqual([]);
      expect(bob.errors).toEqual([]);
    } finally {
      alice.client.stop();
      bob.client.stop();
    }
  });
});
