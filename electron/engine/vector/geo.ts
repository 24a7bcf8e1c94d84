/**
 * Georeferencing and measurement of polygons: pixel -> map coordinates through a GDAL
 * geotransform, planar areas and lengths, ellipsoidal (WGS84) areas for lon/lat coordinates,
 * and the units LandWatch reports in (m^2 and mu).
 */

/** A closed ring of [x, y] points (first point repeated last). */
export type Ring = number[][];

/** GDAL geotransform: [originX, pixelW, rotX, originY, rotY, pixelH]; pixelH < 0 for north-up. */
export type GeoTransform = [number, number, number, number, number, number];

/** How to turn map units into metres. */
export interface MapUnits {
  /** Coordinates are lon/lat degrees (WGS84); areas and lengths are then ellipsoidal/geodesic. */
  geographic: boolean;
  /** Metres per map unit for projected CRSs (1 for metres, {@link US_SURVEY_FOOT_M} ...). */
  metresPerUnit: number;
}

/** Square metres per mu (亩), the Chinese land unit: 1 mu = 10000/15 m^2 = 666.67 m^2. */
export const M2_PER_MU = 10000 / 15;
/** The US survey foot, 1200/3937 m (0.3048006096...). */
export const US_SURVEY_FOOT_M = 1200 / 3937;
/** The international foot, exactly 0.3048 m. */
export const INTERNATIONAL_FOOT_M = 0.3048;
/** Radius of the sphere with the WGS84 ellipsoid's surface area (the authalic sphere). */
export const AUTHALIC_RADIUS_M = 6371007.181;
/** Mean earth radius used for geodesic lengths (haversine). */
export const MEAN_RADIUS_M = 6371008.8;

// WGS84 ellipsoid.
const WGS84_A = 6378137;
const WGS84_F = 1 / 298.257223563;
const E2 = WGS84_F * (2 - WGS84_F);
const E = Math.sqrt(E2);
const DEG = Math.PI / 180;

/** Converts square metres to mu. */
export function m2ToMu(m2: number): number {
  return m2 / M2_PER_MU;
}

/** Maps a pixel-corner coordinate (col, row) through a geotransform. */
export function applyGeoTransform(gt: GeoTransform, col: number, row: number): [number, number] {
  return [gt[0] + col * gt[1] + row * gt[2], gt[3] + col * gt[4] + row * gt[5]];
}

/**
 * Converts rings from pixel coordinates (as produced by trace.ts: exterior with a negative
 * shoelace sum, holes positive) to map coordinates, and orients them the RFC 7946 way in map
 * space: exterior counter-clockwise (positive {@link ringArea}), holes clockwise. A north-up
 * transform (negative determinant) flips orientation by itself; otherwise the rings are reversed.
 */
export function toMap(rings: Ring[], gt: GeoTransform): Ring[] {
  const det = gt[1] * gt[5] - gt[2] * gt[4];
  if (det === 0 || !Number.isFinite(det)) throw new RangeError('degenerate geotransform');
  return rings.map((ring) => {
    const out = ring.map(([c, r]) => applyGeoTransform(gt, c, r));
    return det > 0 ? out.reverse() : out;
  });
}

/**
 * Signed shoelace area of a closed ring: positive when counter-clockwise in a y-up system.
 * Coordinates are taken relative to the first point so large map coordinates lose no precision.
 */
export function ringArea(ring: Ring): number {
  if (ring.length < 3) return 0;
  const x0 = ring[0][0];
  const y0 = ring[0][1];
  let s = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    s += (ring[i][0] - x0) * (ring[i + 1][1] - y0) - (ring[i + 1][0] - x0) * (ring[i][1] - y0);
  }
  return s / 2;
}

/** Planar polygon area: |exterior| minus |holes|, whatever the ring orientation. */
export function polygonArea(rings: Ring[]): number {
  let a = 0;
  rings.forEach((ring, i) => {
    a += i === 0 ? Math.abs(ringArea(ring)) : -Math.abs(ringArea(ring));
  });
  return a;
}

/** Planar length of a ring. */
export function ringLength(ring: Ring): number {
  let s = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    s += Math.hypot(ring[i + 1][0] - ring[i][0], ring[i + 1][1] - ring[i][1]);
  }
  return s;
}

/** Planar perimeter: total length of the exterior and all holes. */
export function polygonPerimeter(rings: Ring[]): number {
  return rings.reduce((s, ring) => s + ringLength(ring), 0);
}

/** q(phi) of the authalic latitude (Snyder, Map Projections, eq. 3-12). */
function authalicQ(sinPhi: number): number {
  const es = E * sinPhi;
  return (1 - E2) * (sinPhi / (1 - E2 * sinPhi * sinPhi) - Math.log((1 - es) / (1 + es)) / (2 * E));
}
const QP = authalicQ(1);
/** Authalic radius from the ellipsoid itself; equals {@link AUTHALIC_RADIUS_M} to the mm. */
const RQ2 = (WGS84_A * WGS84_A * QP) / 2;

/**
 * Signed ellipsoidal area (m^2) of a lon/lat ring on WGS84, positive when counter-clockwise.
 *
 * The ring is projected with the Lambert cylindrical equal-area projection of the ellipsoid
 * (x = lambda, y = sin(authalic latitude), scaled by the authalic radius) and measured with the
 * shoelace formula: the Chamberlain-Duquette / turf approach, but with authalic instead of
 * geodetic latitude, which removes its ~0.5 % error near the equator. Edges along meridians and
 * parallels (pixel edges of a north-up lon/lat raster) are measured exactly; other edges are
 * taken as straight in that projection, which is negligible at change-polygon sizes. Rings must
 * not cross the antimeridian.
 */
export function geodesicRingAreaM2(ring: Ring): number {
  if (ring.length < 3) return 0;
  const l0 = ring[0][0] * DEG;
  const s0 = authalicQ(Math.sin(ring[0][1] * DEG)) / QP;
  let sum = 0;
  let pl = 0;
  let ps = 0;
  for (let i = 1; i < ring.length; i++) {
    const l = ring[i][0] * DEG - l0;
    const s = authalicQ(Math.sin(ring[i][1] * DEG)) / QP - s0;
    sum += pl * s - l * ps;
    pl = l;
    ps = s;
  }
  return (sum / 2) * RQ2;
}

/**
 * Polygon area in square metres: ellipsoidal for geographic coordinates, otherwise the planar
 * area scaled by metresPerUnit^2 (so a CRS in US survey feet gives m^2 with 0.3048006096).
 */
export function polygonAreaM2(rings: Ring[], units: MapUnits): number {
  if (!units.geographic) return polygonArea(rings) * units.metresPerUnit * units.metresPerUnit;
  let a = 0;
  rings.forEach((ring, i) => {
    const r = Math.abs(geodesicRingAreaM2(ring));
    a += i === 0 ? r : -r;
  });
  return a;
}

/** Great-circle (haversine) distance in metres between two lon/lat points. */
export function haversineM(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const dLat = (lat2 - lat1) * DEG;
  const dLon = (lon2 - lon1) * DEG;
  const a =
    Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * DEG) * Math.cos(lat2 * DEG) * Math.sin(dLon / 2) ** 2;
  return 2 * MEAN_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

/**
 * Perimeter in metres (exterior plus holes): haversine lengths for geographic coordinates
 * (spherical, within ~0.5 % of the ellipsoid), otherwise planar length x metresPerUnit.
 */
export function polygonPerimeterM(rings: Ring[], units: MapUnits): number {
  if (!units.geographic) return polygonPerimeter(rings) * units.metresPerUnit;
  let s = 0;
  for (const ring of rings) {
    for (let i = 0; i + 1 < ring.length; i++) {
      s += haversineM(ring[i][0], ring[i][1], ring[i + 1][0], ring[i + 1][1]);
    }
  }
  return s;
}

/** Bounding box [minX, minY, maxX, maxY] of a set of rings. */
export function ringsBBox(rings: Ring[]): [number, number, number, number] {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const ring of rings) {
    for (const [x, y] of ring) {
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }
  return [minX, minY, maxX, maxY];
}

/**
 * A stored patch geometry (GeoJSON Polygon or MultiPolygon text, as the project store keeps it)
 * as a list of polygons, each a list of rings.
 */
export function storedPolygons(json: string): Ring[][] {
  const g = JSON.parse(json) as { type: string; coordinates: Ring[] | Ring[][] };
  return g.type === 'MultiPolygon' ? (g.coordinates as Ring[][]) : [g.coordinates as Ring[]];
}
