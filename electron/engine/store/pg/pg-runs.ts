/**
 * Storing a detection run in a team project, with the re-run rules of rerun-links.ts answered by
 * PostGIS: a new detection whose interior meets the interior of a patch an analyst has decided
 * (`ST_Relate … 'T********'`, candidates found through the GiST index) is linked to it; untouched
 * patches of earlier runs (within the run's area, when it has one) are superseded by the run.
 */
import { MANUAL_RUN_ID } from '../patch-edits.js';
import { DECIDED_SQL } from '../patch-rows.js';
import type { NewDetection, NewRun } from '../project-store.js';
import type { Queryable } from './pg-patch-table.js';
import { lockNumbers } from './pg-patch-table.js';

/** Inserts the run and its patches (numbered after the last) and applies the re-run rules. */
export async function addRunPg(
  db: Queryable,
  srid: number,
  run: NewRun,
  polygons: NewDetection[],
): Promise<{ linked: number; superseded: number }> {
  const at = new Date().toISOString();
  await lockNumbers(db);
  await db.query(
    `INSERT INTO runs (id, model_id, model_version, threshold, min_area, params,
       execution_provider, started_at, seconds, patch_count)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      run.id,
      run.modelId,
      run.modelVersion,
      run.threshold,
      run.minArea,
      JSON.stringify(run.params),
      run.executionProvider,
      run.startedAt,
      run.seconds,
      polygons.length,
    ],
  );
  // One statement for the lot: arrays unnested in order, numbered after the project's last.
  await db.query(
    `INSERT INTO patches (run_id, number, geom, model_geom, area_m2, perimeter_m, model_area_m2,
       model_perimeter_m, mean_prob, max_prob, change_kind, created_at, updated_at)
     SELECT $1, base.n + d.ord, g.g, g.g, d.area, d.per, d.area, d.per, d.mean, d.max, d.kind,
       $2, $2
     FROM (SELECT COALESCE(MAX(number), 0) AS n FROM patches) base,
       unnest($3::text[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::text[])
         WITH ORDINALITY AS d(geojson, area, per, mean, max, kind, ord),
       LATERAL (SELECT ST_SetSRID(ST_GeomFromGeoJSON(d.geojson), ${srid}) AS g) g
     ORDER BY d.ord`,
    [
      run.id,
      at,
      polygons.map((p) => JSON.stringify({ type: 'Polygon', coordinates: p.rings })),
      polygons.map((p) => p.areaM2),
      polygons.map((p) => p.perimeter),
      polygons.map((p) => p.meanProb),
      polygons.map((p) => p.maxProb),
      polygons.map((p) => p.changeKind ?? null),
    ],
  );
  const linked = await db.query(
    `WITH links AS (
       INSERT INTO patch_links (detection_id, patch_id, run_id, at)
       SELECT d.id, k.id, $1, $2 FROM patches d JOIN patches k ON k.geom && d.geom
       WHERE d.run_id = $1 AND k.run_id <> $1 AND ${DECIDED_SQL}
         AND ST_Relate(d.geom, k.geom, 'T********')
       ON CONFLICT DO NOTHING RETURNING detection_id)
     UPDATE patches SET linked = 1 WHERE id IN (SELECT detection_id FROM links)`,
    [run.id, at],
  );
  const untouched = `UPDATE patches AS k SET superseded_by = $1
    WHERE k.run_id NOT IN ($1, $2) AND k.superseded_by IS NULL AND k.deleted = 0
      AND NOT ${DECIDED_SQL}`;
  const superseded = run.area
    ? await db.query(
        // A run over an area of interest answers for that area only (bounds that overlap it).
        `${untouched} AND k.geom && ST_MakeEnvelope($3, $4, $5, $6, ${srid})
           AND ST_XMin(k.geom) < $5 AND ST_XMax(k.geom) > $3
           AND ST_YMin(k.geom) < $6 AND ST_YMax(k.geom) > $4`,
        [run.id, MANUAL_RUN_ID, ...run.area],
      )
    : await db.query(untouched, [run.id, MANUAL_RUN_ID]);
  return { linked: linked.rowCount ?? 0, superseded: superseded.rowCount ?? 0 };
}
