/**
 * Work packages of a team project: a supervisor assigns patches to a user, by area (the live
 * patches whose outlines intersect a polygon in the project CRS, PostGIS ST_Intersects over the
 * GiST index) or by a list of patch ids; everyone sees each package's progress. A patch is in at
 * most one package. Also the supervisor's second check of a decision.
 */
import type { PatchView, WorkPackageView } from '../../../common/contract.js';
import { LandWatchError } from '../../errors.js';
import type { Queryable, PgPatchTable } from './pg-patch-table.js';
import { forbidden, roleOf } from './pg-team-rules.js';

/** What `packages.create` asks for; `area` is a polygon's rings in the project CRS. */
export interface NewPackage {
  name: string;
  assignee: string;
  patchIds?: number[];
  area?: number[][][];
}

async function supervisorOnly(db: Queryable, actor: string, what: string): Promise<void> {
  const role = await roleOf(db, actor);
  if (role !== 'supervisor')
    throw forbidden(
      `Only a supervisor ${what}; ${actor} is ${role ? `an ${role}` : 'not a user of this team'}.`,
    );
}

const PROGRESS = `SELECT k.id, k.name, k.assignee, k.created_by, k.created_at,
    COUNT(p.id) FILTER (WHERE p.deleted = 0) AS total,
    COUNT(p.id) FILTER (WHERE p.deleted = 0 AND p.state <> 'unreviewed') AS reviewed,
    COUNT(p.id) FILTER (WHERE p.deleted = 0 AND p.state = 'confirmed') AS confirmed,
    COUNT(p.id) FILTER (WHERE p.deleted = 0 AND p.state = 'rejected') AS rejected,
    COUNT(p.id) FILTER (WHERE p.deleted = 0 AND p.state = 'field_check') AS field_check
  FROM packages k
  LEFT JOIN package_patches pp ON pp.package_id = k.id
  LEFT JOIN patches p ON p.id = pp.patch_id`;

function packageView(r: Record<string, unknown>): WorkPackageView {
  return {
    id: String(r.id),
    name: r.name as string,
    assignee: r.assignee as string,
    createdBy: r.created_by as string,
    createdAt: r.created_at as string,
    total: r.total as number,
    reviewed: r.reviewed as number,
    confirmed: r.confirmed as number,
    rejected: r.rejected as number,
    fieldCheck: r.field_check as number,
  };
}

/** Every package with its progress, oldest first. */
export async function listPackages(db: Queryable): Promise<WorkPackageView[]> {
  const r = await db.query(`${PROGRESS} GROUP BY k.id ORDER BY k.id`);
  return r.rows.map(packageView);
}

/** Adds the patches of a list; refuses ids that are missing, deleted or in another package. */
async function addListed(db: Queryable, pkg: number, ids: number[]): Promise<void> {
  const found = await db.query<{ id: number; number: number; deleted: number; package: string }>(
    `SELECT p.id, p.number, p.deleted, k.name || ' (' || k.assignee || ')' AS package
     FROM patches p LEFT JOIN package_patches pp ON pp.patch_id = p.id
     LEFT JOIN packages k ON k.id = pp.package_id WHERE p.id = ANY($1::int[])`,
    [ids],
  );
  const byId = new Map(found.rows.map((r) => [r.id, r]));
  const missing = ids.filter((id) => byId.get(id)?.deleted !== 0);
  if (missing.length > 0)
    throw new LandWatchError(
      'E_NOT_FOUND',
      `No live patch with id ${missing.slice(0, 10).join(', ')}: nothing was assigned.`,
    );
  const taken = found.rows.filter((r) => r.package !== null);
  if (taken.length > 0)
    throw new LandWatchError(
      'E_CONFLICT',
      `${taken.length === 1 ? 'Patch' : 'Patches'} ${taken
        .slice(0, 10)
        .map((r) => `#${r.number} (in "${r.package}")`)
        .join(
          ', ',
        )} already ${taken.length === 1 ? 'is' : 'are'} in a work package: delete that package or leave them out.`,
    );
  await db.query(
    'INSERT INTO package_patches (package_id, patch_id) SELECT $1, unnest($2::int[])',
    [pkg, ids],
  );
}

/** Adds the live patches meeting the package's area and in no other package; returns how many were skipped. */
async function addIntersecting(db: Queryable, pkg: number): Promise<number> {
  const r = await db.query<{ meets: number; added: number }>(
    `WITH meets AS (
       SELECT p.id FROM patches p, packages k
       WHERE k.id = $1 AND p.deleted = 0 AND p.superseded_by IS NULL AND ST_Intersects(p.geom, k.area)
     ), added AS (
       INSERT INTO package_patches (package_id, patch_id) SELECT $1, id FROM meets
       ON CONFLICT (patch_id) DO NOTHING RETURNING patch_id
     )
     SELECT (SELECT COUNT(*) FROM meets) AS meets, (SELECT COUNT(*) FROM added) AS added`,
    [pkg],
  );
  const { meets, added } = r.rows[0];
  if (meets === 0)
    throw new LandWatchError(
      'E_BAD_REQUEST',
      'No live patch intersects the area: nothing to assign.',
    );
  if (added === 0)
    throw new LandWatchError(
      'E_CONFLICT',
      `All ${meets} patches in the area are already in other work packages: nothing to assign.`,
    );
  return meets - added;
}

/** Makes a package (inside a transaction); supervisors only. */
export async function createPackage(
  db: Queryable,
  srid: number,
  actor: string,
  spec: NewPackage,
): Promise<WorkPackageView & { skipped: number }> {
  await supervisorOnly(db, actor, 'assigns work packages');
  const role = await roleOf(db, spec.assignee);
  if (role === null || role === 'viewer')
    throw new LandWatchError(
      'E_BAD_REQUEST',
      role
        ? `${spec.assignee} is a viewer: work goes to analysts or supervisors.`
        : `No user "${spec.assignee}" in this team.`,
    );
  let area: string | null = null;
  if (spec.area) {
    area = JSON.stringify({ type: 'Polygon', coordinates: spec.area });
    const valid = await db.query<{ ok: boolean; why: string }>(
      `SELECT ST_IsValid(g) AS ok, ST_IsValidReason(g) AS why
       FROM (SELECT ST_Force2D(ST_GeomFromGeoJSON($1)) AS g) x`,
      [area],
    );
    if (!valid.rows[0].ok)
      throw new LandWatchError(
        'E_BAD_REQUEST',
        `The work package's area is not a valid polygon: ${valid.rows[0].why}.`,
      );
  }
  const inserted = await db.query<{ id: number }>(
    `INSERT INTO packages (name, assignee, created_by, created_at, area)
     VALUES ($1, $2, $3, now(), ST_SetSRID(ST_Force2D(ST_GeomFromGeoJSON($4)), ${srid}))
     RETURNING id`,
    [spec.name, spec.assignee, actor, area],
  );
  const id = inserted.rows[0].id;
  const skipped = spec.patchIds
    ? (await addListed(db, id, [...new Set(spec.patchIds)]), 0)
    : await addIntersecting(db, id);
  const r = await db.query(`${PROGRESS} WHERE k.id = $1 GROUP BY k.id`, [id]);
  return { ...packageView(r.rows[0]), skipped };
}

/** Deletes a package (its patches become open again); supervisors only. */
export async function deletePackage(db: Queryable, actor: string, id: number): Promise<boolean> {
  await supervisorOnly(db, actor, 'deletes work packages');
  const r = await db.query('DELETE FROM packages WHERE id = $1', [id]);
  return (r.rowCount ?? 0) > 0;
}

/**
 * Marks the current decisions of patches second-checked by a supervisor (inside a transaction);
 * the check holds until the patch changes (it names the version it saw). Refused for undecided
 * patches and for the supervisor's own decisions.
 */
export async function checkPatches(
  db: Queryable,
  table: PgPatchTable,
  actor: string,
  ids: number[],
): Promise<PatchView[]> {
  await supervisorOnly(db, actor, 'second-checks decisions');
  const rows = await table.lock(ids);
  for (const id of new Set(ids)) {
    const row = table.live(id, rows.get(id));
    if (row.state === 'unreviewed')
      throw new LandWatchError(
        'E_BAD_REQUEST',
        `Patch #${row.number} has no decision yet: there is nothing to second-check.`,
      );
    if (row.reviewer === actor)
      throw new LandWatchError(
        'E_BAD_REQUEST',
        `Patch #${row.number} was decided by ${actor}: a second check is by someone else.`,
      );
    await db.query(
      `INSERT INTO checks (patch_id, checked_by, checked_at, version) VALUES ($1, $2, now(), $3)
       ON CONFLICT (patch_id) DO UPDATE SET checked_by = excluded.checked_by,
         checked_at = excluded.checked_at, version = excluded.version`,
      [id, actor, row.version],
    );
  }
  return Promise.all([...new Set(ids)].map((id) => table.viewOf(rows.get(id)!)));
}

/**
 * Puts the patches a split or merge made into the work package of their parents (the first
 * parent in one), so a package keeps its work when its patches are reshaped.
 */
export async function inheritPackage(
  db: Queryable,
  parents: number[],
  children: number[],
): Promise<void> {
  if (children.length === 0 || parents.length === 0) return;
  await db.query(
    `INSERT INTO package_patches (package_id, patch_id)
     SELECT k.package_id, c FROM (
       SELECT pp.package_id FROM package_patches pp WHERE pp.patch_id = ANY($1::int[])
       ORDER BY array_position($1::int[], pp.patch_id) LIMIT 1
     ) k, unnest($2::int[]) c
     ON CONFLICT (patch_id) DO NOTHING`,
    [parents, children],
  );
}
