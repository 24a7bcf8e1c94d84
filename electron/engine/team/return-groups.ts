/**
 * What a returned checkout changed offline, in groups that go back to the team project one
 * transaction each: a patch made offline (drawn, a split piece, a merge) together with the patches
 * it came from, transitively; every other checked-out patch alone. Pure: works on rows only.
 */
import type { PatchRow, Snapshot } from '../store/patch-rows.js';
import { MUTABLE_COLUMNS, VOID } from '../store/patch-rows.js';

export interface ReturnGroup {
  /** Checked-out patches (team ids, which the checkout kept) in the group. */
  existing: number[];
  /** Local ids of patches made offline, oldest first. */
  made: number[];
}

/** Splits the local rows into groups; `checkedOut` holds the ids the checkout copied. */
export function returnGroups(rows: PatchRow[], checkedOut: Set<number>): ReturnGroup[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    while (parent.has(x) && parent.get(x) !== x) x = parent.get(x)!;
    return x;
  };
  const join = (a: number, b: number) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(Math.max(ra, rb), Math.min(ra, rb));
  };
  // A patch whose creation was undone offline never happened.
  const made = rows.filter(
    (r) => !checkedOut.has(r.id) && r.deleted !== VOID && r.origin !== 'model',
  );
  for (const r of made) {
    for (const p of r.parents ? (JSON.parse(r.parents) as number[]) : [])
      if (byId.has(p)) join(r.id, p);
  }
  const groups = new Map<number, ReturnGroup>();
  const groupOf = (id: number) => {
    const root = find(id);
    if (!groups.has(root)) groups.set(root, { existing: [], made: [] });
    return groups.get(root)!;
  };
  for (const id of [...checkedOut].sort((a, b) => a - b))
    if (byId.has(id)) groupOf(id).existing.push(id);
  for (const r of made.sort((a, b) => a.id - b.id)) groupOf(r.id).made.push(r.id);
  return [...groups.values()].sort(
    (a, b) => Math.min(...a.existing, ...a.made) - Math.min(...b.existing, ...b.made),
  );
}

/** Numbers equal up to rounding in the last digits (text written by PostGIS vs. JavaScript). */
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));

/** Two GeoJSON values (or parts) equal in structure with coordinates {@link close}. */
function sameShape(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return close(a, b);
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => sameShape(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    return ka.join() === kb.join() && ka.every((k) => sameShape(ra[k], rb[k]));
  }
  return a === b;
}

function same(column: string, a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return close(a, b);
  if (column === 'geometry' && typeof a === 'string' && typeof b === 'string')
    return sameShape(JSON.parse(a), JSON.parse(b));
  return false;
}

/** The columns of `local` that differ from `team` (what the offline side changed), or null. */
export function offlineChanges(team: Snapshot, local: Snapshot): Snapshot | null {
  const out: Snapshot = {};
  let any = false;
  for (const c of MUTABLE_COLUMNS) {
    if (!same(c, team[c] ?? null, local[c] ?? null)) {
      out[c] = local[c] ?? null;
      any = true;
    }
  }
  return any ? out : null;
}

/** A change as people read it: `state → confirmed, change_class → 01, geometry`. */
export function describeChanges(s: Snapshot): string {
  return Object.entries(s)
    .filter(([c]) => !['reviewer', 'reviewed_at', 'area_m2', 'perimeter_m', 'edited'].includes(c))
    .map(([c, v]) =>
      c === 'geometry'
        ? 'outline'
        : c === 'deleted'
          ? v
            ? 'deleted'
            : 'restored'
          : `${c} → ${v ?? '(none)'}`,
    )
    .join(', ');
}
