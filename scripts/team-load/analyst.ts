/**
 * One simulated analyst of `npm run bench:team`: logs in over the HTTP API and, until told to
 * stop, picks an unreviewed patch from a random page of the queue, reads it, takes its lease
 * (where the server has leases) and writes a decision or a note carrying the version it read.
 * Every write carries a marker unique to it; the ones the server acknowledged (HTTP 200) go to
 * the analyst's log, which the bench checks against the database afterwards. A refused write
 * (409 stale version or lease, 403) is counted as a conflict; a request the server never
 * answered (killed mid-run) is unacknowledged and is retried with a new read.
 */

export interface Ack {
  patchId: string;
  version: number;
  marker: string;
  field: 'comment' | 'note';
}

export interface AnalystStats {
  name: string;
  acks: Ack[];
  conflicts: number;
  /** Requests the server did not answer (connection refused/reset while it was down). */
  unanswered: number;
  /** Other failures, by message (should stay empty). */
  errors: Map<string, number>;
  /** Milliseconds per answered request, by kind. */
  latency: { read: number[]; write: number[] };
}

export interface AnalystOptions {
  base: string;
  projectId: string;
  name: string;
  password: string;
  stopAt: number;
  /** Seeded random source, so runs differ only by timing. */
  random: () => number;
  leases: boolean;
}

class Unanswered extends Error {}

export async function runAnalyst(o: AnalystOptions): Promise<AnalystStats> {
  const stats: AnalystStats = {
    name: o.name,
    acks: [],
    conflicts: 0,
    unanswered: 0,
    errors: new Map(),
    latency: { read: [], write: [] },
  };
  let token = '';
  let seq = 0;
  const call = async (
    channel: string,
    body: unknown,
    kind: 'read' | 'write',
  ): Promise<{ status: number; json: Record<string, unknown> }> => {
    const t0 = performance.now();
    let res: Response;
    try {
      res = await fetch(`${o.base}/api/${channel}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
    } catch {
      throw new Unanswered();
    }
    const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    stats.latency[kind].push(performance.now() - t0);
    return { status: res.status, json };
  };
  const login = async () => {
    const r = await call('team.login', { user: o.name, password: o.password }, 'read');
    if (r.status !== 200)
      throw new Error(`login ${o.name}: HTTP ${r.status} ${JSON.stringify(r.json)}`);
    token = String(r.json.token);
  };
  const fail = (what: string) => stats.errors.set(what, (stats.errors.get(what) ?? 0) + 1);

  while (Date.now() < o.stopAt) {
    try {
      if (!token) await login();
      const filter = { states: ['unreviewed'] };
      const first = await call(
        'patches.queue',
        { projectId: o.projectId, filter, limit: 1 },
        'read',
      );
      if (first.status === 401) {
        token = '';
        continue;
      }
      const total = Number(first.json.total ?? 0);
      if (total === 0) break;
      const offset = Math.floor(o.random() * Math.max(1, total - 20));
      const page = await call(
        'patches.queue',
        { projectId: o.projectId, filter, offset, limit: 20 },
        'read',
      );
      const items = (page.json.items ?? []) as { id: string }[];
      if (items.length === 0) continue;
      const pick = items[Math.floor(o.random() * items.length)];
      const got = await call('patches.get', { projectId: o.projectId, patchId: pick.id }, 'read');
      if (got.status !== 200) {
        fail(`patches.get HTTP ${got.status}`);
        continue;
      }
      const version = Number(got.json.version);
      if (o.leases) {
        const lease = await call(
          'leases.take',
          { projectId: o.projectId, patchId: pick.id },
          'write',
        );
        // Someone else's lease answers 200 with `mine: false`; a patch another analyst decided
        // since the queue page was read answers 403.
        if (
          lease.status === 409 ||
          lease.status === 403 ||
          (lease.status === 200 && lease.json.mine === false)
        ) {
          stats.conflicts++;
          continue;
        }
        if (lease.status !== 200) fail(`leases.take HTTP ${lease.status}`);
      }
      const marker = `${o.name}#${++seq}`;
      const asNote = o.random() < 0.3;
      const expectVersions = { [pick.id]: version };
      const w = asNote
        ? await call(
            'patches.setAttributes',
            {
              projectId: o.projectId,
              patchIds: [pick.id],
              attributes: { note: marker },
              expectVersions,
            },
            'write',
          )
        : await call(
            'patches.review',
            {
              projectId: o.projectId,
              patchId: pick.id,
              state: o.random() < 0.6 ? 'confirmed' : 'rejected',
              comment: marker,
              expectVersions,
            },
            'write',
          );
      if (w.status === 200) {
        const after = asNote
          ? Number(((w.json.changed ?? []) as { version?: number }[])[0]?.version ?? NaN)
          : Number(w.json.version);
        stats.acks.push({
          patchId: pick.id,
          version: after,
          marker,
          field: asNote ? 'note' : 'comment',
        });
      } else if (w.status === 409 || w.status === 403) stats.conflicts++;
      else
        fail(`write HTTP ${w.status} ${String((w.json.error as { code?: string })?.code ?? '')}`);
      if (o.leases)
        await call('leases.release', { projectId: o.projectId, patchId: pick.id }, 'write').catch(
          () => undefined,
        );
    } catch (error) {
      if (error instanceof Unanswered) {
        stats.unanswered++;
        await new Promise((r) => setTimeout(r, 100));
      } else fail((error as Error).message.slice(0, 120));
    }
  }
  return stats;
}
