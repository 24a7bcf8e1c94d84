/**
 * Well-Known Binary (OGC Simple Features, little endian, 2D) for polygons: the geometry encoding
 * inside GeoPackage blobs, and useful wherever a binary polygon is wanted.
 */
import type { PolygonGeometry } from '../../common/contract.js';
import { polygonsOf, type Polygon } from './geometry.js';

const WKB_POLYGON = 3;
const WKB_MULTIPOLYGON = 6;

function polygonSize(polygon: Polygon): number {
  // byte order + type + ring count, then per ring a point count and 16 bytes per point.
  return 9 + polygon.reduce((sum, ring) => sum + 4 + ring.length * 16, 0);
}

function writePolygon(out: Buffer, at: number, polygon: Polygon): number {
  out.writeUInt8(1, at);
  out.writeUInt32LE(WKB_POLYGON, at + 1);
  out.writeUInt32LE(polygon.length, at + 5);
  at += 9;
  for (const ring of polygon) {
    out.writeUInt32LE(ring.length, at);
    at += 4;
    for (const [x, y] of ring) {
      out.writeDoubleLE(x, at);
      out.writeDoubleLE(y, at + 8);
      at += 16;
    }
  }
  return at;
}

/**
 * Encodes already-validated polygons. One polygon is written as a Polygon unless `multi` is set;
 * several are always a MultiPolygon. No polygons gives an empty (Multi)Polygon.
 */
export function polygonsToWkb(polygons: Polygon[], multi: boolean): Buffer {
  if (!multi && polygons.length <= 1) {
    const polygon = polygons[0] ?? [];
    const out = Buffer.alloc(polygonSize(polygon));
    writePolygon(out, 0, polygon);
    return out;
  }
  const out = Buffer.alloc(9 + polygons.reduce((sum, p) => sum + polygonSize(p), 0));
  out.writeUInt8(1, 0);
  out.writeUInt32LE(WKB_MULTIPOLYGON, 1);
  out.writeUInt32LE(polygons.length, 5);
  let at = 9;
  for (const polygon of polygons) at = writePolygon(out, at, polygon);
  return out;
}

/**
 * WKB of a Polygon or MultiPolygon geometry. `multi: true` promotes a Polygon to a one-part
 * MultiPolygon (for layers declared MULTIPOLYGON); a MultiPolygon is never demoted.
 */
export function geometryToWkb(
  geometry: PolygonGeometry,
  options: { multi?: boolean } = {},
): Buffer {
  const polygons = polygonsOf(geometry, 'WKB');
  return polygonsToWkb(polygons, options.multi === true || geometry.type === 'MultiPolygon');
}
