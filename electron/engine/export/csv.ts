/**
 * CSV with WKT (RFC 4180): one line per patch, the geometry as OGC Well-Known Text in the layer
 * CRS in a `WKT` column, then every attribute under its full name. Spreadsheet users open it as a
 * table; GIS tools read it as a layer (GDAL: `-oo GEOM_POSSIBLE_NAMES=WKT`).
 *
 * Next to the .csv go two side files GDAL's CSV driver reads: `.csvt` (the column types, so
 * numbers and dates come back typed rather than as text) and `.prj` (the CRS as WKT) when the
 * CRS is known.
 */
import { lookupEpsg } from '../crs/epsg.js';
import { checkSchema, checkedRows } from './fields.js';
import { polygonsOf, type Polygon } from './geometry.js';
import { assertCanWrite, writeFilesAtomically } from './output-files.js';
import type { ExportLayer, ExportSummary, FieldDef, FieldValue } from './types.js';

/** Name of the geometry column. */
export const WKT_COLUMN = 'WKT';

/** Options of {@link writeCsv}. */
export interface CsvOptions {
  overwrite?: boolean;
  /**
   * Start the file with a UTF-8 byte order mark. Default true: Excel (in Chinese Windows
   * locales) otherwise reads the file as GBK and garbles every Chinese value; GDAL skips it.
   */
  bom?: boolean;
}

/** A value as a CSV field: quoted when it holds a comma, quote, CR or LF (RFC 4180 §2.6-2.7). */
export function csvField(value: FieldValue): string {
  if (value === null) return '';
  const text = typeof value === 'number' ? String(value) : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const ringText = (ring: number[][]): string => `(${ring.map(([x, y]) => `${x} ${y}`).join(', ')})`;
const polygonText = (polygon: Polygon): string => `(${polygon.map(ringText).join(', ')})`;

/**
 * OGC WKT of a Polygon or MultiPolygon (2D, full double precision: JavaScript prints the shortest
 * text that reads back as the same double). No shape gives `POLYGON EMPTY`.
 */
export function polygonWkt(polygons: Polygon[], multi: boolean): string {
  if (polygons.length === 0) return multi ? 'MULTIPOLYGON EMPTY' : 'POLYGON EMPTY';
  if (!multi && polygons.length === 1) return `POLYGON ${polygonText(polygons[0])}`;
  return `MULTIPOLYGON (${polygons.map(polygonText).join(', ')})`;
}

/** The GDAL .csvt type of a field. */
function csvtType(field: FieldDef): string {
  switch (field.type) {
    case 'integer':
      return 'Integer';
    case 'real':
      return 'Real';
    case 'date':
      return 'Date';
    default:
      return 'String';
  }
}

/**
 * The layer as CSV text (CRLF line ends, header line first, no BOM).
 *
 * @example
 * csvText(layer).split('\r\n')[0]; // 'WKT,patch_id,number,...'
 */
export function csvText(layer: ExportLayer): string {
  const where = `Layer "${layer.name}"`;
  checkSchema(layer.fields, [WKT_COLUMN], where);
  const rows = checkedRows(
    layer.fields,
    layer.features.map((f) => f.properties),
    where,
    'feature',
  );
  const lines = [[WKT_COLUMN, ...layer.fields.map((f) => f.name)].map(csvField).join(',')];
  layer.features.forEach((feature, i) => {
    const polygons = polygonsOf(feature.geometry, `${where}, feature ${i + 1}`);
    const wkt = polygonWkt(polygons, feature.geometry.type === 'MultiPolygon');
    lines.push([wkt, ...rows[i]].map(csvField).join(','));
  });
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * Writes the layer as `path` (.csv) with its `.csvt` and, when the CRS is known, `.prj`.
 *
 * @example
 * writeCsv('out/changes.csv', layer); // changes.csv, changes.csvt, changes.prj
 */
export function writeCsv(
  path: string,
  layer: ExportLayer,
  options: CsvOptions = {},
): ExportSummary {
  const base = path.replace(/\.csv$/i, '');
  const wkt = layer.crs.wkt ?? (layer.crs.epsg !== null ? lookupEpsg(layer.crs.epsg)?.wkt : null);
  const files: { path: string; data: string }[] = [
    { path, data: `${options.bom === false ? '' : '\ufeff'}${csvText(layer)}` },
    {
      path: `${base}.csvt`,
      data: `${['WKT', ...layer.fields.map(csvtType)].map((t) => `"${t}"`).join(',')}\r\n`,
    },
  ];
  if (wkt) files.push({ path: `${base}.prj`, data: wkt });
  assertCanWrite(
    files.map((f) => f.path),
    options.overwrite,
  );
  writeFilesAtomically(files);
  return { files: files.map((f) => f.path), features: layer.features.length };
}
