/**
 * What every vector writer (GeoPackage, Shapefile, GeoJSON) takes: one layer of polygon features
 * in a known CRS, with a declared schema.
 */
import type { PolygonGeometry } from '../../common/contract.js';

export type FieldType = 'integer' | 'real' | 'text' | 'date';

export interface FieldDef {
  name: string;
  type: FieldType;
  /**
   * Width: bytes for shapefile text, total characters (sign and point included) for numbers. For
   * numbers and shapefile text it is the least width written; values that need more widen the
   * column unless a pre-export check (check.ts) refuses them first.
   */
  width?: number;
  /** Digits after the decimal point of a real field; default: as many as the values need. */
  decimals?: number;
  /** A human title (e.g. 图斑编号); GeoPackage stores it in gpkg_data_columns. */
  title?: string;
}

export type FieldValue = string | number | null;

export interface ExportFeature {
  /** Polygon or MultiPolygon in the layer CRS; rings closed, outer ring first. */
  geometry: PolygonGeometry;
  properties: Record<string, FieldValue>;
}

export interface LayerCrs {
  /** EPSG code when known. */
  epsg: number | null;
  /** OGC WKT1 definition when known (needed for .prj and gpkg_spatial_ref_sys). */
  wkt: string | null;
  /** proj4 definition when known (needed to reproject to WGS84 for GeoJSON). */
  proj4: string | null;
}

export interface ExportLayer {
  name: string;
  crs: LayerCrs;
  fields: FieldDef[];
  features: ExportFeature[];
}

/**
 * A non-spatial table written next to a layer (GeoPackage only), e.g. run parameters or a review
 * log. Row keys are column names; missing keys are written as NULL.
 */
export interface ExportTable {
  name: string;
  columns: FieldDef[];
  rows: Record<string, FieldValue>[];
}

/** What a writer reports back. */
export interface ExportSummary {
  /** Every file written (a shapefile is several). */
  files: string[];
  features: number;
}

/** What a pre-export check found; see `checkExport`. */
export type ExportProblemCode =
  | 'missing-source'
  | 'unmapped-value'
  | 'bad-value'
  | 'missing-crs'
  | 'datum-approximate'
  | 'name-too-long'
  | 'name-duplicate'
  | 'name-reserved'
  | 'not-encodable'
  | 'text-too-long'
  | 'number-too-wide'
  | 'too-many-fields'
  | 'record-too-long'
  | 'invalid-geometry'
  | 'empty-geometry'
  | 'option-ignored';

/**
 * One problem an export would have. Errors stop the export; warnings are worth showing but the
 * file would still be right.
 */
export interface ExportProblem {
  severity: 'error' | 'warning';
  code: ExportProblemCode;
  /** The output field concerned, when there is one. */
  field?: string;
  /** 1-based position of the feature concerned, when there is one. */
  feature?: number;
  /** A sentence naming the field and feature and saying what to change. */
  message: string;
}
