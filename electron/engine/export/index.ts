/**
 * Entry point of the vector export: picks the writer from the file extension, so the CLI, IPC and
 * HTTP handlers only have to know a path and a layer.
 */
import type { ExportFormat } from '../../common/contract.js';
import { LandWatchError } from '../errors.js';
import { writeCsv } from './csv.js';
import { writeGeoJson } from './geojson.js';
import { writeGeoPackage } from './gpkg.js';
import { writeShapefile } from './shapefile.js';
import type { DbfEncoding } from './text-encoding.js';
import type { ExportLayer, ExportSummary, ExportTable, FieldValue } from './types.js';

export { writeCsv } from './csv.js';
export { toGeoJsonObject, writeGeoJson } from './geojson.js';
export { writeGeoPackage } from './gpkg.js';
export { writeShapefile } from './shapefile.js';
export type { DbfEncoding } from './text-encoding.js';
export type * from './types.js';

/** Options understood by {@link exportLayer}; each writer uses the ones that apply to it. */
export interface ExportOptions {
  /** Replace existing files. Default false: an existing file is an error. */
  overwrite?: boolean;
  /** Shapefile attribute encoding. Default UTF-8. */
  encoding?: DbfEncoding;
  /** GeoPackage only: extra non-spatial tables (e.g. run parameters). */
  extraTables?: ExportTable[];
  /**
   * GeoPackage only: the review history as plain rows, written as a `reviews` attributes table
   * with column types taken from the values (see {@link tableFromRows}).
   */
  reviews?: Record<string, unknown>[];
  /**
   * The format to write. Optional: by default the extension decides. When both are present they
   * must agree, so a GeoPackage is never written under a .shp name.
   */
  format?: ExportFormat;
}

const EXTENSIONS: Record<string, ExportFormat> = {
  '.gpkg': 'gpkg',
  '.geojson': 'geojson',
  '.json': 'geojson',
  '.shp': 'shp',
  '.csv': 'csv',
};

/** The export format a file name asks for (by extension, case-insensitive), or null. */
export function exportFormatOf(path: string): ExportFormat | null {
  const match = /\.[^./\\]+$/.exec(path);
  return match ? (EXTENSIONS[match[0].toLowerCase()] ?? null) : null;
}

/** The usual file extension of a format, for building default file names. */
export function extensionOf(format: ExportFormat): string {
  return format === 'geojson' ? '.geojson' : `.${format}`;
}

/**
 * An attributes table from plain rows (e.g. database rows). Columns are the union of the rows'
 * keys in first-seen order; a column is `integer` when all its numbers are integers, `real` for
 * other numbers, else `text` (booleans and objects are written as JSON text).
 */
export function tableFromRows(name: string, rows: Record<string, unknown>[]): ExportTable {
  const kinds = new Map<string, Set<string>>();
  for (const row of rows) {
    for (const [key, value] of Object.entries(row)) {
      const kind =
        value === null || value === undefined
          ? 'null'
          : typeof value === 'number'
            ? Number.isSafeInteger(value)
              ? 'integer'
              : 'real'
            : typeof value === 'bigint'
              ? 'integer'
              : 'text';
      if (!kinds.has(key)) kinds.set(key, new Set());
      kinds.get(key)!.add(kind);
    }
  }
  const columns = [...kinds].map(([key, seen]): ExportTable['columns'][number] => ({
    name: key,
    type: seen.has('text') ? 'text' : seen.has('real') ? 'real' : 'integer',
  }));
  const cell = (value: unknown, type: string): FieldValue => {
    if (value === null || value === undefined) return null;
    if (type === 'text') return typeof value === 'string' ? value : JSON.stringify(value);
    return Number(value);
  };
  return {
    name,
    columns,
    rows: rows.map((row) =>
      Object.fromEntries(columns.map((c) => [c.name, cell(row[c.name], c.type)])),
    ),
  };
}

/**
 * Writes `layer` to `path` in the format its extension names: .gpkg (GeoPackage), .geojson or
 * .json (GeoJSON, reprojected to WGS 84), .shp (ESRI Shapefile and its side files), .csv (CSV with
 * the geometry as WKT in the layer CRS).
 */
export function exportLayer(
  path: string,
  layer: ExportLayer,
  options: ExportOptions = {},
): ExportSummary {
  const named = exportFormatOf(path);
  if (options.format && named && options.format !== named) {
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `Cannot export ${options.format} to "${path}": the extension says ${named}.`,
    );
  }
  const format = options.format ?? named;
  switch (format) {
    case 'gpkg':
      return writeGeoPackage(path, layer, {
        overwrite: options.overwrite,
        extraTables: [
          ...(options.extraTables ?? []),
          ...(options.reviews ? [tableFromRows('reviews', options.reviews)] : []),
        ],
      });
    case 'geojson':
      return writeGeoJson(path, layer, { overwrite: options.overwrite });
    case 'shp':
      return writeShapefile(path, layer, {
        overwrite: options.overwrite,
        encoding: options.encoding,
      });
    case 'csv':
      return writeCsv(path, layer, { overwrite: options.overwrite });
    default:
      throw new LandWatchError(
        'E_BAD_REQUEST',
        `Cannot export to "${path}": use a .gpkg, .geojson, .json, .shp or .csv file name.`,
      );
  }
}
