/**
 * What the reference-layer readers produce: polygon features with plain attributes, in the CRS of
 * the file they came from, which the importer then reprojects to the project's scene CRS.
 */

/** [x, y] */
export type Position = number[];
/** Closed ring, first position repeated last. */
export type Ring = Position[];
/** Exterior ring first, then holes. */
export type PolygonRings = Ring[];

export type AttributeValue = string | number | boolean | null;

/** One polygon feature (a multipolygon; single polygons have one part). */
export interface SourceFeature {
  polygons: PolygonRings[];
  properties: Record<string, AttributeValue>;
}

/** The CRS a file declares, as found in it (at least one of the fields is set). */
export interface SourceCrs {
  epsg: number | null;
  /** WKT (from a .prj or gpkg_spatial_ref_sys). */
  wkt: string | null;
}

/** A polygon layer as read from a file. */
export interface SourceLayer {
  /** The file the user picked (for messages). */
  path: string;
  /** Layer name from the file (table name, FeatureCollection name, or file name). */
  name: string;
  /** The declared CRS, or null when the file has none. */
  crs: SourceCrs | null;
  /** Attribute names in file order. */
  fields: string[];
  features: SourceFeature[];
  /** Features skipped because they were not polygons or had no geometry. */
  skipped: number;
}
