/**
 * Reads a polygon shapefile (.shp with its .dbf, .prj and .cpg; .shx is not needed because the
 * records are read in order) into a {@link SourceLayer}. Polygon, PolygonZ and PolygonM records
 * are read in 2D; ESRI rings (exteriors clockwise, holes counter-clockwise) are grouped into
 * polygons with their holes; null shapes are counted as skipped. Any other shape type is refused
 * with a message naming the file, as reference layers are areas.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { LandWatchError } from '../errors.js';
import { assemblePolygons } from '../store/geometry/rings.js';
import { ringArea } from '../vector/geo.js';
import { encodingOfCpg, readDbf } from './dbf-reader.js';
import type { PolygonRings, Ring, SourceFeature, SourceLayer } from './types.js';

const SHAPE_NAMES: Record<number, string> = {
  1: 'points',
  3: 'lines',
  8: 'multipoints',
  11: 'points',
  13: 'lines',
  18: 'multipoints',
  21: 'points',
  23: 'lines',
  28: 'multipoints',
  31: 'multipatches',
};
const POLYGON_TYPES = new Set([5, 15, 25]);

/** A side file of `shp` with the given extension (either case), or null when there is none. */
function sideFile(shp: string, ext: string): string | null {
  const base = shp.slice(0, -4);
  for (const candidate of [`${base}.${ext}`, `${base}.${ext.toUpperCase()}`]) {
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/**
 * ESRI rings to polygons: each clockwise ring starts a polygon, counter-clockwise ones are holes
 * of the smallest polygon holding them. Files with the winding the wrong way round (it happens)
 * still import: a ring no exterior holds is taken as an exterior of its own.
 */
export function ringsToPolygons(rings: Ring[]): PolygonRings[] {
  const usable = rings.filter((r) => r.length >= 4 && ringArea(r) !== 0);
  // assemblePolygons wants the GeoJSON winding (exterior counter-clockwise): flip every ring.
  const flipped = usable.map((r) => [...r].reverse());
  try {
    return assemblePolygons(flipped);
  } catch {
    return flipped.map((r) => [ringArea(r) > 0 ? r : [...r].reverse()]);
  }
}

function readShapes(bytes: Uint8Array, file: string): (PolygonRings[] | null)[] {
  const bad = (why: string): never => {
    throw new LandWatchError('E_BAD_REQUEST', `${file}: ${why}`);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 100 || view.getInt32(0, false) !== 9994) bad('not an ESRI shapefile.');
  const fileType = view.getInt32(32, true);
  if (fileType !== 0 && !POLYGON_TYPES.has(fileType)) {
    bad(
      `it holds ${SHAPE_NAMES[fileType] ?? `shape type ${fileType}`}; reference layers must be polygons.`,
    );
  }
  const shapes: (PolygonRings[] | null)[] = [];
  let at = 100;
  while (at + 8 <= bytes.length) {
    const length = view.getInt32(at + 4, false) * 2;
    const start = at + 8;
    if (start + length > bytes.length) bad(`record ${shapes.length + 1} is cut short.`);
    const type = length >= 4 ? view.getInt32(start, true) : 0;
    if (type === 0) shapes.push(null);
    else if (!POLYGON_TYPES.has(type)) {
      bad(
        `record ${shapes.length + 1} is ${SHAPE_NAMES[type] ?? `shape type ${type}`}, not a polygon.`,
      );
    } else {
      const parts = view.getInt32(start + 36, true);
      const points = view.getInt32(start + 40, true);
      const partsAt = start + 44;
      const xyAt = partsAt + parts * 4;
      if (xyAt + points * 16 > start + length) bad(`record ${shapes.length + 1} is corrupt.`);
      const rings: Ring[] = [];
      for (let p = 0; p < parts; p++) {
        const from = view.getInt32(partsAt + p * 4, true);
        const to = p + 1 < parts ? view.getInt32(partsAt + (p + 1) * 4, true) : points;
        const ring: Ring = [];
        for (let k = from; k < to; k++) {
          ring.push([
            view.getFloat64(xyAt + k * 16, true),
            view.getFloat64(xyAt + k * 16 + 8, true),
          ]);
        }
        rings.push(ring);
      }
      shapes.push(ringsToPolygons(rings));
    }
    at = start + length;
  }
  return shapes;
}

/**
 * Reads `path` (a .shp) and its side files.
 *
 * @example
 * const layer = readShapefile('/data/基本农田.shp'); // .dbf decoded per its .cpg
 */
export function readShapefile(path: string): SourceLayer {
  const file = basename(path);
  const dbfPath = sideFile(path, 'dbf');
  if (!dbfPath) {
    throw new LandWatchError('E_FILE_NOT_FOUND', `${file}: its .dbf (the attributes) is missing.`);
  }
  const cpgPath = sideFile(path, 'cpg');
  const cpg = cpgPath ? readFileSync(cpgPath, 'utf8') : null;
  const encoding = cpg === null ? null : encodingOfCpg(cpg);
  if (cpg !== null && encoding === null) {
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `${file}: its .cpg names the encoding "${cpg.trim()}", which LandWatch cannot read; use UTF-8 or GBK.`,
    );
  }
  const shapes = readShapes(readFileSync(path), file);
  const table = readDbf(readFileSync(dbfPath), encoding, basename(dbfPath));
  if (table.rows.length !== shapes.length) {
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `${file}: ${shapes.length} shapes but ${table.rows.length} attribute records in the .dbf.`,
    );
  }
  const prjPath = sideFile(path, 'prj');
  const features: SourceFeature[] = [];
  let skipped = 0;
  shapes.forEach((polygons, i) => {
    if (table.deleted[i]) return;
    if (!polygons || polygons.length === 0) skipped++;
    else features.push({ polygons, properties: table.rows[i] });
  });
  return {
    path,
    name: file.slice(0, -4),
    crs: prjPath ? { epsg: null, wkt: readFileSync(prjPath, 'utf8').trim() } : null,
    fields: table.fields,
    features,
    skipped,
  };
}
