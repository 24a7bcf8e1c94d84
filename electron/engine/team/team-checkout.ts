/**
 * `landwatch team checkout`: a work package taken offline. Writes a local project file holding the
 * chosen patches of a team project (by number, by area, or all current ones) with their runs,
 * links among them, reviews and audit rows, the code lists and settings, and records in the file
 * where they came from: the database (without its password), the schema, each patch's id and the
 * version read, and the time. The undo history stays in the team project: offline, undo covers
 * the offline work only. `landwatch team return` (team-return.ts) brings the decisions back.
 *
 * @example
 * await checkoutPatches({ url, schema: 'round7' }, { numbers: [1, 5, 9] }, '/tmp/pkg.landwatch');
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { LandWatchError } from '../errors.js';
import type { PgTarget } from '../store/pg/pg-connection.js';
import { PG_ROW_COLUMNS } from '../store/pg/pg-patch-table.js';
import { geometryBBox } from '../store/patch-table.js';
import { ProjectStore } from '../store/project-store.js';
import type { CheckoutArea } from './checkout-area.js';
import { writeCheckoutRecord, type CheckoutRecord } from './checkout-record.js';
import { sceneSource } from './team-push.js';
import { openTeamStore, redactUrl } from './team-target.js';

/** Which patches to take: numbers as analysts see them, an area, or every current patch. */
export type CheckoutSelection = { numbers: number[] } | { area: CheckoutArea } | { all: true };

export interface CheckoutResult {
  path: string;
  patches: number;
  runs: number;
  record: CheckoutRecord;
}

type Row = Record<string, unknown>;

/** Copies the selected patches of the team project at `target` into a new project file `out`. */
export async function checkoutPatches(
  target: PgTarget,
  selection: CheckoutSelection,
  out: string,
): Promise<CheckoutResult> {
  const team = await openTeamStore(target.url, target.schema);
  try {
    const read = await team.transaction(async ({ db, table }) => {
      // One snapshot of the lot: patches, versions, reviews and audit agree with each other.
      await db.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const current = 'p.deleted = 0 AND p.superseded_by IS NULL';
      let patches: Row[];
      if ('numbers' in selection) {
        const r = await db.query(
          `SELECT ${PG_ROW_COLUMNS} FROM patches p WHERE ${current} AND p.number = ANY($1::int[]) ORDER BY p.id`,
          [selection.numbers],
        );
        patches = r.rows as Row[];
        const found = new Set(patches.map((p) => p.number as number));
        const missing = selection.numbers.filter((n) => !found.has(n));
        if (missing.length > 0)
          throw new LandWatchError(
            'E_NOT_FOUND',
            `${team.where}: no current patch numbered ${missing.map((n) => `#${n}`).join(', ')} (no such number, deleted, or superseded by a later run).`,
          );
      } else if ('area' in selection) {
        const { geojson, srid } = selection.area;
        if (srid !== null && srid !== table.srid && table.srid === 0)
          throw new LandWatchError(
            'E_BAD_REQUEST',
            `--area is in EPSG:${srid} but the team project's CRS has no EPSG code: give the area in the project's CRS.`,
          );
        const g =
          srid === null || srid === table.srid
            ? `ST_SetSRID(ST_GeomFromGeoJSON($1), ${table.srid})`
            : `ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON($1), ${srid}), ${table.srid})`;
        const r = await db.query(
          `SELECT ${PG_ROW_COLUMNS} FROM patches p, (SELECT ${g} AS g) a
           WHERE ${current} AND p.linked = 0 AND p.geom && a.g AND ST_Intersects(p.geom, a.g)
           ORDER BY p.id`,
          [geojson],
        );
        patches = r.rows as Row[];
      } else {
        const r = await db.query(
          `SELECT ${PG_ROW_COLUMNS} FROM patches p WHERE ${current} AND p.linked = 0 ORDER BY p.id`,
        );
        patches = r.rows as Row[];
      }
      if (patches.length === 0)
        throw new LandWatchError(
          'E_BAD_REQUEST',
          `${team.where}: no current patch in that selection; nothing checked out.`,
        );
      const ids = patches.map((p) => p.id as number);
      const runIds = [...new Set(patches.map((p) => p.run_id as string))];
      const q = async (sql: string, params: unknown[] = []) =>
        (await db.query(sql, params)).rows as Row[];
      return {
        patches,
        runs: await q('SELECT * FROM runs WHERE id = ANY($1::text[]) ORDER BY started_at', [
          runIds,
        ]),
        links: await q(
          'SELECT * FROM patch_links WHERE detection_id = ANY($1::int[]) AND patch_id = ANY($1::int[])',
          [ids],
        ),
        reviews: await q('SELECT * FROM reviews WHERE patch_id = ANY($1::int[]) ORDER BY id', [
          ids,
        ]),
        audit: await q('SELECT * FROM audit WHERE patch_id = ANY($1::int[]) ORDER BY id', [ids]),
        codeLists: await q('SELECT * FROM code_lists'),
        settings: await q('SELECT * FROM settings'),
        meta: await q("SELECT key, value FROM meta WHERE key IN ('name', 'created_at')"),
      };
    });
    const before = await team.scene('before');
    const after = await team.scene('after');
    const name = read.meta.find((m) => m.key === 'name')?.value as string;
    const local = ProjectStore.create(
      out,
      `${name} (offline)`,
      sceneSource(before),
      sceneSource(after),
    );
    try {
      const record: CheckoutRecord = {
        id: randomUUID(),
        db: redactUrl(target.url),
        schema: target.schema ?? 'landwatch',
        at: new Date().toISOString(),
        patches: Object.fromEntries(read.patches.map((p) => [String(p.id), p.version as number])),
        reviewsUpTo: 0,
        auditUpTo: 0,
      };
      writeLocal(local, read, record);
      return { path: out, patches: read.patches.length, runs: read.runs.length, record };
    } catch (error) {
      local.close();
      rmSync(out, { force: true });
      rmSync(`${out}-wal`, { force: true });
      rmSync(`${out}-shm`, { force: true });
      throw error;
    } finally {
      local.close();
    }
  } finally {
    await team.close();
  }
}

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

function writeLocal(
  local: ProjectStore,
  read: {
    patches: Row[];
    runs: Row[];
    links: Row[];
    reviews: Row[];
    audit: Row[];
    codeLists: Row[];
    settings: Row[];
    meta: Row[];
  },
  record: CheckoutRecord,
): void {
  const db = local.db;
  const insert = (table: string, rows: Row[], convert: (r: Row) => Row = (r) => r) => {
    if (rows.length === 0) return;
    // Team-only columns (overrides and the like) have no place in a single analyst's file.
    const local = new Set(
      (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name),
    );
    const cols = Object.keys(convert(rows[0])).filter((c) => local.has(c));
    const stmt = db.prepare(
      `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`,
    );
    for (const r of rows) stmt.run(convert(r));
  };
  db.transaction(() => {
    const createdAt = read.meta.find((m) => m.key === 'created_at')?.value;
    if (createdAt) db.prepare("UPDATE meta SET value = ? WHERE key = 'created_at'").run(createdAt);
    insert('runs', read.runs, (r) => ({ ...r, params: json(r.params) }));
    const ids = new Set(read.patches.map((p) => p.id as number));
    const linked = new Set(read.links.map((l) => l.detection_id as number));
    insert('patches', read.patches, (p) => ({
      ...p,
      linked: linked.has(p.id as number) ? 1 : 0,
      // Bounds go to the R*Tree below; SQLite stores flags as integers.
      edited: Number(p.edited),
      deleted: Number(p.deleted),
      unscored: Number(p.unscored),
    }));
    const bounds = db.prepare(
      'INSERT INTO patches_rtree (id, minx, maxx, miny, maxy) VALUES (?, ?, ?, ?, ?)',
    );
    for (const p of read.patches) {
      const [minx, miny, maxx, maxy] = geometryBBox(p.geometry as string);
      bounds.run(p.id, minx, maxx, miny, maxy);
    }
    insert(
      'patch_links',
      read.links.filter((l) => ids.has(l.patch_id as number)),
      (l) => ({
        detection_id: l.detection_id,
        patch_id: l.patch_id,
        run_id: l.run_id,
        at: l.at,
      }),
    );
    insert('reviews', read.reviews);
    insert('audit', read.audit, (a) => ({ ...a, before: json(a.before), after: json(a.after) }));
    db.prepare('DELETE FROM code_lists').run();
    insert('code_lists', read.codeLists);
    db.prepare('DELETE FROM settings').run();
    insert('settings', read.settings);
    const max = (table: string) =>
      (db.prepare(`SELECT COALESCE(MAX(id), 0) AS n FROM ${table}`).get() as { n: number }).n;
    record.reviewsUpTo = max('reviews');
    record.auditUpTo = max('audit');
    writeCheckoutRecord(local, record);
  }).immediate();
}
