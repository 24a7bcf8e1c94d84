/**
 * What every vector writer (GeoPackage, Shapefile, GeoJSON) takes: one layer of polygon features
 * in a known CRS, with a declared schema.
 */
import type { PolygonGeometry } from '../../common/contract.js';

export type FieldType = 'integer' | 'real' | 'text' | 'date';

export interface FieldDef {
  name: string;
  type: FieldType;
  /** Optional width hint (characters for text, total digits for numbers). */
  width?: number;
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
