/**
 * The reference layers of one project file (tables of migration 6): layers and their features in
 * the scene CRS behind an R*Tree, and every patch's overlap with every layer. Overlaps are
 * computed when a layer is imported and, for patches the triggers marked stale (added or
 * reshaped), by {@link ReferenceStore.refresh}, which callers run before reading.
 */
import type Database from 'better-sqlite3';
import type { ProjectStore } from '../store/project-store.js';
import type { ReferenceLayerView } from '../../common/reference-contract.js';
import { ringsBBox, storedPolygons, type MapUnits } from '../vector/geo.js';
import { overlapWith } from './overlap.js';
import type { AttributeValue, PolygonRings, SourceFeature } from './types.js';

/** A stored layer, as listed (the API's view with the database's integer id). */
export type StoredLayer = Omit<ReferenceLayerView, 'id' | 'kind'> & { id: number; kind: string };

/** A stored feature, in the scene CRS. */
export interface StoredFeature {
  id: number;
  polygons: PolygonRings[];
  properties: Record<string, AttributeValue>;
}

/** A patch's overlap with one layer. */
export interface StoredOverlap {
  layerId: number;
  areaM2: number;
  share: number;
}

type Box = [number, number, number, number]; // minX, minY, maxX, maxY

/** Bounds of the polygons' exteriors; null when there are none. */
function boxOf(polygons: PolygonRings[]): Box | null {
  const box = ringsBBox(polygons.map((rings) => rings[0] ?? []));
  return box[0] <= box[2] ? box : null;
}

const instances = new WeakMap<ProjectStore, ReferenceStore>();

/**
 * The {@link ReferenceStore} of an open project, on the project store's own connection (made on
 * first use, its statements prepared once per project).
 */
export function referenceStoreOf(store: ProjectStore): ReferenceStore {
  let refs = instances.get(store);
  if (!refs) {
    refs = new ReferenceStore(store.db, store.frame().units);
    instances.set(store, refs);
  }
  return refs;
}

/**
 * Reference layers over one open project connection.
 *
 * @example
 * const refs = new ReferenceStore(db, store.frame().units);
 * const id = refs.addLayer({ name: '批准用地', kind: 'approved_construction', ... }, features);
 * refs.refresh(); // after patches changed
 */
export class ReferenceStore {
  private readonly s;

  constructor(
    private readonly db: Database.Database,
    private readonly units: MapUnits,
  ) {
    this.s = {
      insertLayer: db.prepare(
        `INSERT INTO reference_layers (name, kind, source_name, source_crs, fields, feature_count,
           skipped, minx, miny, maxx, maxy, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertFeature: db.prepare(
        'INSERT INTO reference_features (layer_id, geometry, properties) VALUES (?, ?, ?)',
      ),
      insertBox: db.prepare(
        'INSERT INTO reference_rtree (id, minx, maxx, miny, maxy) VALUES (?, ?, ?, ?, ?)',
      ),
      layers: db.prepare('SELECT * FROM reference_layers ORDER BY id'),
      layerIds: db.prepare('SELECT id FROM reference_layers ORDER BY id'),
      deleteBoxes: db.prepare(
        'DELETE FROM reference_rtree WHERE id IN (SELECT id FROM reference_features WHERE layer_id = ?)',
      ),
      deleteLayer: db.prepare('DELETE FROM reference_layers WHERE id = ?'),
      // CROSS JOIN keeps the R*Tree the outer loop: a patch then costs the features it meets,
      // not every feature of the layer.
      candidates: db.prepare(
        `SELECT f.id, f.geometry FROM reference_rtree r CROSS JOIN reference_features f ON f.id = r.id
         WHERE r.minx <= ? AND r.maxx >= ? AND r.miny <= ? AND r.maxy >= ? AND f.layer_id = ?`,
      ),
      features: db.prepare(
        'SELECT id, geometry, properties FROM reference_features WHERE layer_id = ? ORDER BY id',
      ),
      featuresIn: db.prepare(
        `SELECT f.id, f.geometry, f.properties FROM reference_rtree r
         CROSS JOIN reference_features f ON f.id = r.id
         WHERE r.minx <= ? AND r.maxx >= ? AND r.miny <= ? AND r.maxy >= ? AND f.layer_id = ?
         ORDER BY f.id`,
      ),
      allPatches: db.prepare('SELECT id, geometry FROM patches'),
      stalePatches: db.prepare(
        'SELECT p.id, p.geometry FROM reference_stale s JOIN patches p ON p.id = s.patch_id',
      ),
      anyStale: db.prepare('SELECT EXISTS (SELECT 1 FROM reference_stale) AS stale'),
      clearStale: db.prepare('DELETE FROM reference_stale'),
      deleteOverlaps: db.prepare('DELETE FROM reference_overlaps WHERE patch_id = ?'),
      insertOverlap: db.prepare(
        'INSERT OR REPLACE INTO reference_overlaps (layer_id, patch_id, area_m2, share) VALUES (?, ?, ?, ?)',
      ),
      overlapCount: db.prepare('SELECT COUNT(*) AS n FROM reference_overlaps WHERE layer_id = ?'),
      overlapsOf: db.prepare(
        'SELECT layer_id, area_m2, share FROM reference_overlaps WHERE patch_id = ? ORDER BY layer_id',
      ),
      sharesOf: db.prepare('SELECT patch_id, share FROM reference_overlaps WHERE layer_id = ?'),
    };
  }

  /**
   * Stores a layer (features already in the scene CRS) and computes its overlap with every
   * patch, all in one transaction. Returns the new layer's id.
   */
  addLayer(
    meta: {
      name: string;
      kind: string;
      sourceName: string;
      sourceCrs: string;
      fields: string[];
      skipped: number;
    },
    features: SourceFeature[],
  ): number {
    return this.db
      .transaction(() => {
        const boxes = features.map((f) => boxOf(f.polygons));
        const extent = boxes.reduce<Box | null>(
          (a, b) =>
            !b
              ? a
              : !a
                ? b
                : [
                    Math.min(a[0], b[0]),
                    Math.min(a[1], b[1]),
                    Math.max(a[2], b[2]),
                    Math.max(a[3], b[3]),
                  ],
          null,
        );
        const layerId = Number(
          this.s.insertLayer.run(
            meta.name,
            meta.kind,
            meta.sourceName,
            meta.sourceCrs,
            JSON.stringify(meta.fields),
            features.length,
            meta.skipped,
            extent?.[0] ?? null,
            extent?.[1] ?? null,
            extent?.[2] ?? null,
            extent?.[3] ?? null,
            new Date().toISOString(),
          ).lastInsertRowid,
        );
        features.forEach((f, i) => {
          const box = boxes[i];
          if (!box) return;
          const id = this.s.insertFeature.run(
            layerId,
            JSON.stringify(f.polygons),
            JSON.stringify(f.properties),
          ).lastInsertRowid;
          this.s.insertBox.run(id, box[0], box[2], box[1], box[3]);
        });
        const patches = this.s.allPatches.all() as { id: number; geometry: string }[];
        for (const p of patches) this.computeOverlap(p.id, storedPolygons(p.geometry), layerId);
        return layerId;
      })
      .immediate();
  }

  /** Every layer, oldest first. */
  layers(): StoredLayer[] {
    return (this.s.layers.all() as Record<string, unknown>[]).map((r) => ({
      id: r.id as number,
      name: r.name as string,
      kind: r.kind as string,
      sourceName: r.source_name as string,
      sourceCrs: r.source_crs as string,
      fields: JSON.parse(r.fields as string) as string[],
      featureCount: r.feature_count as number,
      skipped: r.skipped as number,
      extent:
        r.minx === null
          ? null
          : [r.minx as number, r.miny as number, r.maxx as number, r.maxy as number],
      importedAt: r.imported_at as string,
    }));
  }

  /** Removes a layer with its features and overlaps; false when there was none. */
  removeLayer(id: number): boolean {
    return this.db
      .transaction(() => {
        this.s.deleteBoxes.run(id);
        return this.s.deleteLayer.run(id).changes > 0;
      })
      .immediate();
  }

  /** A layer's features, all or those whose bounds meet `bbox` ([minX, minY, maxX, maxY]). */
  features(layerId: number, bbox?: Box): StoredFeature[] {
    const rows = (
      bbox
        ? this.s.featuresIn.all(bbox[2], bbox[0], bbox[3], bbox[1], layerId)
        : this.s.features.all(layerId)
    ) as { id: number; geometry: string; properties: string }[];
    return rows.map((r) => ({
      id: r.id,
      polygons: JSON.parse(r.geometry) as PolygonRings[],
      properties: JSON.parse(r.properties) as Record<string, AttributeValue>,
    }));
  }

  /** How many patches overlap a layer. */
  overlapCount(layerId: number): number {
    return (this.s.overlapCount.get(layerId) as { n: number }).n;
  }

  /** Share inside one layer of every patch that meets it (others have 0), by patch id. */
  sharesOf(layerId: number): Map<number, number> {
    const rows = this.s.sharesOf.all(layerId) as { patch_id: number; share: number }[];
    return new Map(rows.map((r) => [r.patch_id, r.share]));
  }

  /** A patch's overlaps (only layers it overlaps), by layer id. */
  overlapsOf(patchId: number): StoredOverlap[] {
    return (
      this.s.overlapsOf.all(patchId) as { layer_id: number; area_m2: number; share: number }[]
    ).map((r) => ({ layerId: r.layer_id, areaM2: r.area_m2, share: r.share }));
  }

  /**
   * Recomputes the overlaps of the patches marked stale (added or reshaped since the last call)
   * with every layer. Cheap when nothing is stale. Returns how many patches were recomputed.
   */
  refresh(): number {
    if (!(this.s.anyStale.get() as { stale: number }).stale) return 0;
    return this.db
      .transaction(() => {
        const stale = this.s.stalePatches.all() as { id: number; geometry: string }[];
        const layers = (this.s.layerIds.all() as { id: number }[]).map((l) => l.id);
        for (const p of stale) {
          this.s.deleteOverlaps.run(p.id);
          const polygons = storedPolygons(p.geometry);
          for (const layerId of layers) this.computeOverlap(p.id, polygons, layerId);
        }
        this.s.clearStale.run();
        return stale.length;
      })
      .immediate();
  }

  private computeOverlap(patchId: number, polygons: PolygonRings[], layerId: number): void {
    const box = boxOf(polygons);
    if (!box) return;
    const candidates = (
      this.s.candidates.all(box[2], box[0], box[3], box[1], layerId) as { geometry: string }[]
    ).map((c) => JSON.parse(c.geometry) as PolygonRings[]);
    const overlap = overlapWith(polygons, candidates, this.units);
    if (overlap) this.s.insertOverlap.run(layerId, patchId, overlap.areaM2, overlap.share);
  }
}
