/**
 * The learnt-ranking channels through the backend as the UI calls them, and once over HTTP: not
 * ready (with how many decisions are missing) on a fresh project, then probabilities for every
 * queued patch once 20+ decisions of both kinds exist, refitted as decisions come in, and an
 * explanation of one patch; refusals name the patch.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  EditResult,
  LearntRankingView,
  RankExplanationView,
} from '../../../electron/common/contract.js';
import { Backend } from '../../../electron/engine/api/backend.js';
import { projectRanking } from '../../../electron/engine/rank/project-ranking.js';
import { startServer, type RunningServer } from '../../../electron/server/http-server.js';
import { detection, newRun, tempProject } from '../store/fixtures.js';
import { testHost } from '../../helpers/host.js';

let backend: Backend;
let projectId: string;
let path: string;
const call = <T>(channel: string, payload: Record<string, unknown> = {}) =>
  backend.handle(channel, { projectId, ...payload }) as Promise<T>;

// Patches 1..16 are large (40 × 40 m), 17..32 small (6 × 6 m); probabilities alike.
const LARGE = Array.from({ length: 16 }, (_, i) => String(i + 1));
const SMALL = Array.from({ length: 16 }, (_, i) => String(i + 17));

beforeAll(() => {
  process.env.LANDWATCH_HOME = mkdtempSync(join(tmpdir(), 'lw-rank-home-'));
  const project = tempProject('rank');
  path = project.path;
  const boxes = [
    ...LARGE.map((_, i) =>
      detection(
        (i % 8) * 50,
        Math.floor(i / 8) * 50,
        (i % 8) * 50 + 40,
        Math.floor(i / 8) * 50 + 40,
        0.6 + (i % 4) * 0.05,
      ),
    ),
    ...SMALL.map((_, i) =>
      detection(
        (i % 8) * 50,
        200 + Math.floor(i / 8) * 50,
        (i % 8) * 50 + 6,
        206 + Math.floor(i / 8) * 50,
        0.6 + (i % 4) * 0.05,
      ),
    ),
  ];
  project.store.addRun(newRun(), boxes);
  project.store.close();
  backend = new Backend(testHost());
  projectId = backend.projects.open(path);
});
afterAll(async () => backend.dispose());

const review = (patchIds: string[], state: string) =>
  call<EditResult>('patches.reviewMany', { patchIds, state });

describe('rank.learnt and rank.explain', () => {
  it('is not ready on a project without decisions, and says how many are needed', async () => {
    const r = await call<LearntRankingView>('rank.learnt');
    expect(r).toMatchObject({ ready: false, needed: 20, probabilities: {} });
    expect(r.message).toMatch(/needs 20 decisions/);
    const e = await call<RankExplanationView>('rank.explain', { patchId: '1' });
    expect(e).toMatchObject({ ready: false, probability: null, reasons: [] });
  });

  it('learns from 20 decisions: large patches like the confirmed ones rank high', async () => {
    await review(LARGE.slice(0, 10), 'confirmed');
    await review(SMALL.slice(0, 9), 'rejected');
    expect((await call<LearntRankingView>('rank.learnt')).needed).toBe(1);
    await review(SMALL.slice(9, 10), 'rejected');
    const r = await call<LearntRankingView>('rank.learnt');
    expect(r).toMatchObject({ ready: true, needed: 0, decisions: { confirmed: 10, rejected: 10 } });
    expect(Object.keys(r.probabilities)).toHaveLength(32);
    for (const id of LARGE.slice(10)) expect(r.probabilities[id]).toBeGreaterThan(0.5);
    for (const id of SMALL.slice(10)) expect(r.probabilities[id]).toBeLessThan(0.5);
    const e = await call<RankExplanationView>('rank.explain', { patchId: LARGE[12] });
    expect(e.verdict).toBe('high');
    expect(e.reasons[0].phrase).toBe('large area');
    expect(e.reasons[0].contribution).toBeGreaterThan(0);
  });

  it('refits as decisions come in, and only then', async () => {
    const store = backend.projects.store(projectId);
    const cached = projectRanking(store);
    expect(projectRanking(store)).toBe(cached);
    const before = await call<LearntRankingView>('rank.learnt');
    await review(LARGE.slice(10, 14), 'rejected');
    const after = await call<LearntRankingView>('rank.learnt');
    expect(after.decisions).toEqual({ confirmed: 10, rejected: 14 });
    expect(projectRanking(store)).not.toBe(cached);
    expect(after.probabilities[LARGE[15]]).toBeLessThan(before.probabilities[LARGE[15]]);
  });

  it('refuses a deleted patch by number, and a bad id as a bad request', async () => {
    await call<EditResult>('patches.delete', { patchIds: [LARGE[15]] });
    await expect(call('rank.explain', { patchId: LARGE[15] })).rejects.toThrow(
      /Patch #16 is not in the queue/,
    );
    await expect(call('rank.explain', { patchId: 'x' })).rejects.toThrow(/must be a patch id/);
  });
});

describe('over HTTP', () => {
  let server: RunningServer;
  afterAll(async () => server?.close());
  it('answers rank.learnt like the backend does', async () => {
    server = await startServer({ port: 0 });
    const post = async <T>(channel: string, body: Record<string, unknown>) =>
      (await (
        await fetch(`${server.url}api/${channel}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-LandWatch-Token': server.token },
          body: JSON.stringify(body),
        })
      ).json()) as T;
    await backend.dispose(); // one writer per project file
    const opened = await post<{ id: string }>('project.open', { path });
    const r = await post<LearntRankingView>('rank.learnt', { projectId: opened.id });
    expect(r.ready).toBe(true);
    expect(r.decisions).toEqual({ confirmed: 10, rejected: 14 });
    expect(Object.keys(r.probabilities)).toHaveLength(31);
  });
});
