/**
 * Channels of reference layers (approved construction, farmland protection, parcels, plan zones):
 * import, list, remove, their features for the map, and a patch's overlaps. Spread into the one
 * contract in contract.ts. Runs everywhere (Node, Electron, browser): no Node built-ins.
 */
import { z } from 'zod';

const id = z.string().min(1).max(128);
const layerId = z.string().regex(/^[1-9][0-9]{0,14}$/, 'must be a layer id (a positive integer)');
const finite = z.number().finite();

/** What a layer is, chosen at import; the UI styles and names layers by it. */
export const referenceKindSchema = z.enum([
  'approved_construction',
  'farmland_protection',
  'parcels',
  'plan_zones',
  'other',
]);
export type ReferenceKind = z.infer<typeof referenceKindSchema>;

/**
 * Queue filter on the overlap with one layer: share of the patch area inside it, in [0, 1]
 * (patches that do not meet the layer have share 0). `{ layerId, maxShare: 0 }` selects patches
 * entirely outside, e.g. outside approved construction.
 */
export const referenceOverlapFilterSchema = z
  .object({
    layerId,
    minShare: finite.min(0).max(1).optional(),
    maxShare: finite.min(0).max(1).optional(),
    /**
     * Rank the queue by confidence × the patch area OUTSIDE the layer (likely unapproved change
     * first) instead of confidence × area. Without share limits it then keeps every patch.
     */
    rankOutside: z.boolean().optional(),
  })
  .strict();
export type ReferenceOverlapFilter = z.infer<typeof referenceOverlapFilterSchema>;

/** One imported layer. */
export interface ReferenceLayerView {
  id: string;
  name: string;
  kind: ReferenceKind;
  /** File name it was imported from. */
  sourceName: string;
  /** The file's CRS (it was reprojected onto the scene CRS). */
  sourceCrs: string;
  fields: string[];
  featureCount: number;
  /** Features left out because they were not polygons. */
  skipped: number;
  /** [minX, minY, maxX, maxY] in the scene CRS, null for an empty layer. */
  extent: [number, number, number, number] | null;
  importedAt: string;
}

/** A patch's overlap with one layer (only layers it overlaps are listed). */
export interface ReferenceOverlapView {
  layerId: string;
  layerName: string;
  kind: ReferenceKind;
  areaM2: number;
  /** Overlap area / patch area, in [0, 1]. */
  share: number;
}

/** Features of a layer for the map, in the scene CRS (not WGS 84). */
export interface ReferenceFeatureCollection {
  type: 'FeatureCollection';
  features: {
    type: 'Feature';
    id: number;
    properties: Record<string, string | number | boolean | null>;
    geometry: { type: 'MultiPolygon'; coordinates: number[][][][] };
  }[];
}

export const referenceContract = {
  /**
   * Imports a Shapefile, GeoJSON or GeoPackage polygon layer, reprojected onto the scene CRS, and
   * computes every patch's overlap with it. In the desktop app main shows an open dialog and
   * ignores `path`; over HTTP the user types a path on the serving machine. Null when cancelled.
   */
  'reference.import': {
    request: z
      .object({
        projectId: id,
        kind: referenceKindSchema,
        name: z.string().min(1).max(200).optional(),
        path: z.string().min(1).max(4096).optional(),
      })
      .strict(),
    response: z.custom<ReferenceLayerView | null>(),
  },
  'reference.list': {
    request: z.object({ projectId: id }).strict(),
    response: z.custom<ReferenceLayerView[]>(),
  },
  /** Removes a layer and its overlaps. */
  'reference.remove': {
    request: z.object({ projectId: id, layerId }).strict(),
    response: z.custom<{ removed: boolean }>(),
  },
  /** A layer's features (all, or those meeting `bbox` in the scene CRS) for the map. */
  'reference.features': {
    request: z
      .object({
        projectId: id,
        layerId,
        bbox: z.tuple([finite, finite, finite, finite]).optional(),
      })
      .strict(),
    response: z.custom<ReferenceFeatureCollection>(),
  },
  /**
   * Share inside one layer of every patch that meets it, by patch id (patches missing from it
   * have 0): what the queue sorts by when it sorts by reference overlap.
   */
  'reference.shares': {
    request: z.object({ projectId: id, layerId }).strict(),
    response: z.custom<Record<string, number>>(),
  },
  /** How much of a patch lies in each layer (overlap area and share). */
  'reference.overlaps': {
    request: z.object({ projectId: id, patchId: z.string().regex(/^[1-9][0-9]{0,14}$/) }).strict(),
    response: z.custom<ReferenceOverlapView[]>(),
  },
} as const;
