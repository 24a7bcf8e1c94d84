/**
 * The review channels' handlers are the same for a project file and a team project: here they
 * run over a PostgreSQL + PostGIS project, two analysts through one set of handlers each, with
 * a stale write refused and per-user undo.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { EditResult, PatchView } from '../../../electron/common/contract.js';
import { patchHandlers } from '../../../electron/engine/api/patch-handlers.js';
import { PgReviewStore } from '../../../electron/engine/store/pg/pg-review-store.js';
import { startPgCluster } from '../../helpers/pg-cluster.js';
import { detection, newRun, scene } from '../store/fixtures.js';

const cluster = await startPgCluster();
const skip = 'skip' in cluster ? cluster.skip : null;
afterAll(async () => {
  if (!('skip' in cluster)) await cluster.stop();
});

describe.skipIf(skip !== null)(
  `patch handlers on a team project${skip ? ` (${skip})` : ''}`,
  () => {
    it('serve two analysts from one PostgreSQL project', async () => {
      const url = await (cluster as { createDatabase(): Promise<string> }).createDatabase();
      const store = await PgReviewStore.create({ url }, 'team', scene('before'), scene('after'));
      try {
        await store.addRun(newRun(), [
          detection(0, 0, 10, 10, 0.5),
          detection(50, 50, 70, 70, 0.6),
        ]);
        const alice = patchHandlers(
          () => store,
          () => 'alice',
        );
        const bob = patchHandlers(
          () => store,
          () => 'bob',
        );
        const projectId = 'p';
        const page = await alice['patches.queue']({ projectId, filter: {}, offset: 0, limit: 10 });
        expect(page.items.map((p) => p.number)).toEqual([2, 1]);
        const seen = page.items[0] as PatchView;
        await bob['patches.review']({
          projectId,
          patchId: seen.id,
          state: 'confirmed',
          expectVersions: { [seen.id]: seen.version! },
        });
        await expect(
          alice['patches.review']({
            projectId,
            patchId: seen.id,
            state: 'field_check',
            expectVersions: { [seen.id]: seen.version! },
          }),
        ).rejects.toMatchObject({ code: 'E_CONFLICT', details: { changedBy: 'bob' } });
        const edit: EditResult = await alice['patches.setAttributes']({
          projectId,
          patchIds: ['1'],
          attributes: { changeClass: '05' },
        });
        expect(edit.history.undo?.actor).toBe('alice');
        const list = await bob['history.list']({ projectId, limit: 10 });
        expect(list.entries.map((e) => e.actor)).toEqual(['alice', 'bob']);
        expect(list.status.undo?.summary).toBe('Confirmed patch #2');
        await alice['history.undo']({ projectId });
        expect(
          (await bob['patches.get']({ projectId, patchId: '1' })).attributes?.changeClass,
        ).toBeNull();
        expect((await bob['patches.get']({ projectId, patchId: '2' })).state).toBe('confirmed');
        expect((await alice['patches.summary']({ projectId })).byState.confirmed).toBe(1);
      } finally {
        await store.close();
      }
    });
  },
);
