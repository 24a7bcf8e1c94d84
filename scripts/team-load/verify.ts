/**
 * The check of `npm run bench:team`: every write a client saw acknowledged must be in the team
 * project's audit trail exactly once (not lost, not applied twice), and where a patch's current
 * version is the one an acknowledgement reported, its stored value must be that write's.
 * Writes sent but never answered (the server was killed under them) may or may not have landed;
 * they are counted apart and are not errors.
 */
import pg from 'pg';
import type { Ack } from './analyst.js';

export interface Verdict {
  acknowledged: number;
  lost: number;
  twice: number;
  /** Patches whose current value disagrees with the acknowledged write of their current version. */
  wrongFinal: number;
  /** Audit rows carrying a marker no client saw acknowledged (in flight at the kill). */
  unacknowledgedApplied: number;
  examples: string[];
}

export async function verifyAcks(url: string, schema: string, acks: Ack[]): Promise<Verdict> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const audit = await db.query(
      `SELECT after->>'comment' AS comment, after->>'note' AS note FROM "${schema}".audit`,
    );
    const seen = new Map<string, number>();
    for (const row of audit.rows as { comment: string | null; note: string | null }[])
      for (const m of [row.comment, row.note])
        if (m && m.includes('#')) seen.set(m, (seen.get(m) ?? 0) + 1);
    const current = await db.query(`SELECT id, version, comment, note FROM "${schema}".patches`);
    const byId = new Map(
      (
        current.rows as {
          id: number;
          version: number;
          comment: string | null;
          note: string | null;
        }[]
      ).map((r) => [String(r.id), r]),
    );
    const verdict: Verdict = {
      acknowledged: acks.length,
      lost: 0,
      twice: 0,
      wrongFinal: 0,
      unacknowledgedApplied: 0,
      examples: [],
    };
    const acked = new Set<string>();
    for (const a of acks) {
      acked.add(a.marker);
      const n = seen.get(a.marker) ?? 0;
      if (n === 0) {
        verdict.lost++;
        verdict.examples.push(`lost: ${a.marker} on patch ${a.patchId}`);
      } else if (n > 1) {
        verdict.twice++;
        verdict.examples.push(`applied ${n}×: ${a.marker}`);
      }
      const row = byId.get(a.patchId);
      if (row && row.version === a.version && row[a.field] !== a.marker) {
        verdict.wrongFinal++;
        verdict.examples.push(
          `patch ${a.patchId} v${a.version}: ${a.field} is ${row[a.field]}, acknowledged ${a.marker}`,
        );
      }
    }
    for (const m of seen.keys()) if (!acked.has(m)) verdict.unacknowledgedApplied++;
    verdict.examples = verdict.examples.slice(0, 5);
    return verdict;
  } finally {
    await db.end();
  }
}
