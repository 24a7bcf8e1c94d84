/**
 * What a project keeps about learning from its decisions, in its `meta` table (no schema change):
 *  - reviewed areas: where the analyst says every change has been found, so everything there that
 *    is not a confirmed or drawn patch is "no change" to an adapter (`null` rings = the whole scene);
 *  - the project's adapted model: the id of the model adapted to this project, offered first and
 *    used by default for its runs (never for another project's).
 */
import type Database from 'better-sqlite3';

export interface ReviewedArea {
  /** Rings in the scene CRS; null = the whole scene. */
  rings: number[][][] | null;
  reviewer: string;
  at: string;
}

const AREAS = 'reviewed_areas';
const ADAPTED = 'adapted_model';

function get(db: Database.Database, key: string): string | undefined {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as
    { value: string } | undefined;
  return row?.value;
}

function set(db: Database.Database, key: string, value: string | null): void {
  if (value === null) db.prepare('DELETE FROM meta WHERE key = ?').run(key);
  else db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value);
}

export function reviewedAreas(db: Database.Database): ReviewedArea[] {
  const raw = get(db, AREAS);
  return raw ? (JSON.parse(raw) as ReviewedArea[]) : [];
}

/** Marks an area (or the whole scene, `rings` null) reviewed; returns all reviewed areas. */
export function markReviewed(
  db: Database.Database,
  rings: number[][][] | null,
  reviewer: string,
): ReviewedArea[] {
  const areas = rings === null ? [] : reviewedAreas(db).filter((a) => a.rings !== null);
  areas.push({ rings, reviewer, at: new Date().toISOString() });
  set(db, AREAS, JSON.stringify(areas));
  return areas;
}

export function clearReviewed(db: Database.Database): void {
  set(db, AREAS, null);
}

export function adaptedModelId(db: Database.Database): string | null {
  return get(db, ADAPTED) ?? null;
}

export function setAdaptedModelId(db: Database.Database, id: string | null): void {
  set(db, ADAPTED, id);
}
