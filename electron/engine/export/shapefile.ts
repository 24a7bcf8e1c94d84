/**
 * ESRI Shapefile writer (.shp/.shx/.dbf/.prj/.cpg) for users whose tools still want shapefiles.
 * Geometry follows the ESRI specification (polygon shape type 5, outer rings clockwise, holes
 * counter-clockwise, all parts of a multipolygon in one record); attributes go through the
 * dBASE writer in UTF-8 or GBK, and the .cpg names the encoding so GDAL/QGIS/ArcGIS decode it.
 */
import { rmSync } from 'node:fs';
import { lookupEpsg } from '../crs/epsg.js';
import { buildDbf } from './dbf.js';
import { checkSchema, checkedRows } from './fields.js';
import {
  envelopeOf,
  mergeEnvelopes,
  orientPolygon,
  polygonsOf,
  type Envelope,
  type Polygon,
} from './geometry.js';
import { assertCanWrite, writeFilesAtomically } from './output-files.js';
import type { DbfEncoding } from './text-encoding.js';
import type { ExportLayer, ExportSummary } from './types.js';
import { LandWatchError } from '../errors.js';

/** Options of {@link writeShapefile}. */
export interface ShapefileOptions {
  /** Attribute encoding. Default UTF-8. */
  encoding?: DbfEncoding;
  /** Replace existing files. Default false: any existing part is an error. */
  overwrite?: boolean;
}

const SHAPE_NULL = 0;
const SHAPE_POLYGON = 5;
const HEADER_BYTES = 100;
/** The format stores lengths as signed 32-bit counts of 16-bit words: 2 GB per file at most. */
const MAX_FILE_BYTES = 0x7fff_ffff;

/** Record content of one feature: a null shape, or a polygon with every ring as a part. */
function shapeRecord(polygons: Polygon[], envelope: Envelope | null): Buffer {
  if (!envelope) {
    const content = Buffer.alloc(4);
    content.writeInt32LE(SHAPE_NULL, 0);
    return content;
  }
  // ESRI winding: outer rings clockwise, holes counter-clockwise.
  const rings = polygons.flatMap((p) => orientPolygon(p, false));
  const points = rings.reduce((sum, r) => sum + r.length, 0);
  const content = Buffer.alloc(44 + 4 * rings.length + 16 * points);
  content.writeInt32LE(SHAPE_POLYGON, 0);
  const [minX, maxX, minY, maxY] = envelope;
  [minX, minY, maxX, maxY].forEach((v, i) => content.writeDoubleLE(v, 4 + i * 8));
  content.writeInt32LE(rings.length, 36);
  content.writeInt32LE(points, 40);
  let start = 0;
  rings.forEach((ring, i) => {
    content.writeInt32LE(start, 44 + i * 4);
    start += ring.length;
  });
  let at = 44 + 4 * rings.length;
  for (const ring of rings) {
    for (const [x, y] of ring) {
      content.writeDoubleLE(x, at);
      content.writeDoubleLE(y, at + 8);
      at += 16;
    }
  }
  return content;
}

/** The 100-byte header shared by .shp and .shx (big-endian lengths, little-endian rest). */
function fileHeader(fileBytes: number, bounds: Envelope | null): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeInt32BE(9994, 0);
  header.writeInt32BE(fileBytes / 2, 24);
  header.writeInt32LE(1000, 28);
  header.writeInt32LE(SHAPE_POLYGON, 32);
  const [minX, maxX, minY, maxY] = bounds ?? [0, 0, 0, 0];
  [minX, minY, maxX, maxY].forEach((v, i) => header.writeDoubleLE(v, 36 + i * 8));
  return header;
}

/** Builds the .shp and .shx contents. */
function buildShpShx(layer: ExportLayer): { shp: Buffer; shx: Buffer } {
  let bounds: Envelope | null = null;
  const contents = layer.features.map((feature, i) => {
    const polygons = polygonsOf(feature.geometry, `Layer "${layer.name}", feature ${i + 1}`);
    const envelope = envelopeOf(polygons);
    bounds = mergeEnvelopes(bounds, envelope);
    return shapeRecord(polygons, envelope);
  });
  const shpBytes = contents.reduce((sum, c) => sum + 8 + c.length, HEADER_BYTES);
  if (shpBytes > MAX_FILE_BYTES) {
    throw new LandWatchError(
      'E_OUTPUT',
      'The shapefile would exceed 2 GB; export to GeoPackage instead.',
    );
  }
  const shp = Buffer.alloc(shpBytes);
  const shx = Buffer.alloc(HEADER_BYTES + 8 * contents.length);
  fileHeader(shpBytes, bounds).copy(shp, 0);
  fileHeader(shx.length, bounds).copy(shx, 0);
  let at = HEADER_BYTES;
  contents.forEach((content, i) => {
    // Offsets and lengths are in 16-bit words, big endian; record numbers start at 1.
    shx.writeInt32BE(at / 2, HEADER_BYTES + i * 8);
    shx.writeInt32BE(content.length / 2, HEADER_BYTES + i * 8 + 4);
    shp.writeInt32BE(i + 1, at);
    shp.writeInt32BE(content.length / 2, at + 4);
    content.copy(shp, at + 8);
    at += 8 + content.length;
  });
  return { shp, shx };
}

/** Where the parts go: `out/changes` and `out/changes.shp` both mean out/changes.{shp,shx,...}. */
function basePathOf(path: string): string {
  return path.replace(/\.shp$/i, '');
}

/**
 * Writes a polygon shapefile. A .prj (OGC WKT1, which GDAL, QGIS and ArcGIS read) is written when
 * the layer's CRS is known, by WKT or by EPSG code; without it the file is written without one.
 */
export function writeShapefile(
  basePath: string,
  layer: ExportLayer,
  options: ShapefileOptions = {},
): ExportSummary {
  const encoding = options.encoding ?? 'UTF-8';
  if (encoding !== 'UTF-8' && encoding !== 'GBK') {
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `Unsupported shapefile encoding ${String(encoding)}.`,
    );
  }
  const base = basePathOf(basePath);
  checkSchema(layer.fields, [], `Layer "${layer.name}"`);
  const wkt =
    layer.crs.wkt ?? (layer.crs.epsg !== null ? lookupEpsg(layer.crs.epsg)?.wkt : null) ?? null;
  // Side files of an older shapefile at the same place would describe the wrong data: a stale
  // spatial index (.qix from QGIS, .sbn/.sbx from ArcGIS) or a .prj when this layer has no CRS.
  const stale = ['.qix', '.sbn', '.sbx', ...(wkt ? [] : ['.prj'])];
  assertCanWrite(
    ['.shp', '.shx', '.dbf', '.cpg', '.prj', ...stale].map((e) => base + e),
    options.overwrite,
  );

  // Build everything in memory first so invalid input never leaves partial files.
  const rows = checkedRows(
    layer.fields,
    layer.features.map((f) => f.properties),
    `Layer "${layer.name}"`,
    'feature',
  );
  const dbf = buildDbf(layer.fields, rows, encoding);
  const { shp, shx } = buildShpShx(layer);
  const files: { path: string; data: Uint8Array | string }[] = [
    { path: `${base}.shp`, data: shp },
    { path: `${base}.shx`, data: shx },
    { path: `${base}.dbf`, data: dbf },
    { path: `${base}.cpg`, data: encoding },
  ];
  if (wkt) files.push({ path: `${base}.prj`, data: wkt });
  writeFilesAtomically(files);
  for (const extension of stale) rmSync(base + extension, { force: true });
  return { files: files.map((f) => f.path), features: layer.features.length };
}
