/**
 * Polygon helpers shared by the vector writers: a single validated representation (a list of
 * polygons, each a list of closed rings), ring orientation and envelopes. Each output format wants
 * a different winding order (GeoJSON: exterior counter-clockwise; shapefile: exterior clockwise),
 * so the writers orient rings themselves instead of trusting the input.
 */
import type { PolygonGeometry } from '../../common/contract.js';
import { LandWatchError } from '../errors.js';

/** A position [x, y]; any extra ordinates are ignored (all exports are 2D). */
export type Position = number[];
/** A closed ring: first position equals the last, at least four positions. */
export type Ring = Position[];
/** Exterior ring first, then holes. */
export type Polygon = Ring[];

/** [minX, maxX, minY, maxY], the order GeoPackage envelopes use. */
export type Envelope = [number, number, number, number];

function bad(context: string, why: string): never {
  throw new LandWatchError('E_BAD_REQUEST', `${context}: ${why}`);
}

function closeRing(ring: Position[], context: string): Ring {
  if (!Array.isArray(ring)) bad(context, 'a ring is not an array of positions');
  for (const p of ring) {
    if (!Array.isArray(p) || p.length < 2 || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) {
      bad(context, `invalid position ${JSON.stringify(p)}`);
    }
  }
  const out = ring.map((p) => [p[0], p[1]]);
  const [first, last] = [out[0], out[out.length - 1]];
  // Input rings should be closed already; closing here costs nothing and spares GDAL warnings.
  if (out.length > 0 && (first[0] !== last[0] || first[1] !== last[1]))
    out.push([first[0], first[1]]);
  if (out.length < 4) bad(context, `a ring has ${out.length} positions; at least 4 are needed`);
  return out;
}

/**
 * The geometry as a list of polygons with closed, validated rings. An empty coordinate array (or
 * polygons without rings) gives an empty list: the writers store those as empty geometries.
 */
export function polygonsOf(geometry: PolygonGeometry, context: string): Polygon[] {
  if (!geometry || !Array.isArray(geometry.coordinates)) bad(context, 'missing geometry');
  let polygons: Position[][][];
  if (geometry.type === 'Polygon') polygons = [geometry.coordinates as Position[][]];
  else if (geometry.type === 'MultiPolygon') polygons = geometry.coordinates as Position[][][];
  else bad(context, `unsupported geometry type ${String((geometry as { type: unknown }).type)}`);
  return polygons
    .filter((rings) => Array.isArray(rings) && rings.length > 0)
    .map((rings) => rings.map((ring) => closeRing(ring, context)));
}

/** Twice the signed area (shoelace); positive for counter-clockwise rings in a y-up CRS. */
export function signedArea2(ring: Ring): number {
  let sum = 0;
  // Shift to the first vertex so large projected coordinates do not lose precision.
  const [x0, y0] = ring[0];
  for (let i = 0; i + 1 < ring.length; i++) {
    sum += (ring[i][0] - x0) * (ring[i + 1][1] - y0) - (ring[i + 1][0] - x0) * (ring[i][1] - y0);
  }
  return sum;
}

/** The ring wound as asked (a reversed copy when it is the other way round). */
export function orientRing(ring: Ring, counterClockwise: boolean): Ring {
  const isCcw = signedArea2(ring) > 0;
  return isCcw === counterClockwise ? ring : [...ring].reverse();
}

/** Rings oriented per the convention: exterior `exteriorCcw`, holes the opposite way. */
export function orientPolygon(polygon: Polygon, exteriorCcw: boolean): Polygon {
  return polygon.map((ring, i) => orientRing(ring, i === 0 ? exteriorCcw : !exteriorCcw));
}

/** Envelope of some polygons, or null when there are no positions. */
export function envelopeOf(polygons: Polygon[]): Envelope | null {
  let [minX, maxX, minY, maxY] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const polygon of polygons) {
    for (const ring of polygon) {
      for (const [x, y] of ring) {
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
    }
  }
  return minX <= maxX ? [minX, maxX, minY, maxY] : null;
}

/** Union of two envelopes (either may be null). */
export function mergeEnvelopes(a: Envelope | null, b: Envelope | null): Envelope | null {
  if (!a) return b;
  if (!b) return a;
  return [Math.min(a[0], b[0]), Math.max(a[1], b[1]), Math.min(a[2], b[2]), Math.max(a[3], b[3])];
}

/** True when any geometry is a MultiPolygon, so the layer must be declared multi-polygon. */
export function needsMulti(geometries: PolygonGeometry[]): boolean {
  return geometries.some((g) => g.type === 'MultiPolygon');
}
