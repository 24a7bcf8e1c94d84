/**
 * EPSG lookups backed by the epsg-index package. Each code lives in its own small JSON file
 * (`epsg-index/s/<code>.json`), so a lookup reads one file of a few kB; the 30 MB all.json is never
 * loaded. Results (including misses) are cached for the life of the process. Also the one place
 * that picks the definition proj4js gets for a CRS ({@link proj4Definition}).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseWkt, wktAuthority, wktChild, wktName, wktUnit } from './wkt.js';

/** What LandWatch needs to know about a horizontal CRS. */
export interface EpsgCrs {
  code: number;
  name: string;
  /** OGC WKT1 with AUTHORITY nodes, as GDAL and QGIS expect in .prj and gpkg_spatial_ref_sys. */
  wkt: string;
  /** proj4 definition for proj4js; null for the few codes proj4 cannot express. */
  proj4: string | null;
  /** Name of the axis unit as the WKT states it, e.g. `metre`, `US survey foot`, `degree`. */
  unit: string;
  /** True for latitude/longitude CRSs (GEOGCS), false for projected ones. */
  geographic: boolean;
  /**
   * Metres in one axis unit. For geographic CRSs this is the length of one unit (e.g. one degree)
   * along the equator of the CRS's ellipsoid: good for rough scales, wrong for areas away from the
   * equator, which need geodesic maths instead.
   */
  metresPerUnit: number;
}

/** Shape of one epsg-index record (only the keys used here). */
interface EpsgIndexRecord {
  code: string;
  name: string;
  kind: string;
  wkt: string | null;
  proj4: string | null;
}

/**
 * Exact lengths for units whose WKT factor is printed rounded (the US survey foot is 1200/3937 m by
 * definition; the WKT says 0.304800609601219). Anything else uses the WKT's own factor.
 */
const EXACT_UNIT_METRES: Record<string, number> = {
  metre: 1,
  meter: 1,
  kilometre: 1000,
  'US survey foot': 1200 / 3937,
  foot: 0.3048,
};

const cache = new Map<number, EpsgCrs | null>();
let indexDir: string | null = null;

/** Folder holding the per-code JSON files, resolved once through Node's module resolution. */
function epsgIndexDir(): string {
  if (indexDir === null) {
    try {
      const require = createRequire(import.meta.url);
      indexDir = join(dirname(require.resolve('epsg-index/package.json')), 's');
    } catch {
      // Bundled builds may not resolve packages relative to this file; fall back to the app root.
      indexDir = join(process.cwd(), 'node_modules', 'epsg-index', 's');
    }
  }
  return indexDir;
}

function readRecord(code: number): EpsgIndexRecord | null {
  let text: string;
  try {
    text = readFileSync(join(epsgIndexDir(), `${code}.json`), 'utf8');
  } catch {
    return null;
  }
  try {
    return JSON.parse(text) as EpsgIndexRecord;
  } catch {
    return null;
  }
}

/** Turns an epsg-index record into an {@link EpsgCrs}, or null if it is not a usable 2D CRS. */
function toCrs(code: number, record: EpsgIndexRecord): EpsgCrs | null {
  if (!record.wkt) return null;
  let root;
  try {
    root = parseWkt(record.wkt);
  } catch {
    return null;
  }
  // epsg-index also carries ESRI codes (e.g. 102001); those must not pass for EPSG ones.
  const authority = wktAuthority(root);
  if (authority && (authority.name !== 'EPSG' || authority.code !== code)) return null;

  if (root.keyword === 'PROJCS') {
    const unit = wktUnit(root);
    if (!unit || !(unit.factor > 0)) return null;
    return {
      code,
      name: record.name,
      wkt: record.wkt,
      proj4: record.proj4,
      unit: unit.name,
      geographic: false,
      metresPerUnit: EXACT_UNIT_METRES[unit.name] ?? unit.factor,
    };
  }
  if (root.keyword === 'GEOGCS') {
    const unit = wktUnit(root);
    const datum = wktChild(root, 'DATUM');
    const spheroid = datum && wktChild(datum, 'SPHEROID');
    const semiMajor = spheroid?.args[1];
    if (!unit || typeof semiMajor !== 'number') return null;
    return {
      code,
      name: record.name,
      wkt: record.wkt,
      proj4: record.proj4,
      // `degree` rather than epsg-index's "degree (supplier to define representation)".
      unit: unit.name,
      geographic: true,
      metresPerUnit: semiMajor * unit.factor,
    };
  }
  // Vertical, compound, geocentric and engineering CRSs are not scene CRSs.
  return null;
}

/**
 * Looks up an EPSG code. Returns null when the code is unknown, is not a 2D horizontal CRS
 * (projected or geographic), or has no WKT definition in epsg-index.
 */
export function lookupEpsg(code: number): EpsgCrs | null {
  if (!Number.isInteger(code) || code <= 0 || code > 99_999_999) return null;
  const hit = cache.get(code);
  if (hit !== undefined) return hit;
  const record = readRecord(code);
  const crs = record ? toCrs(code, record) : null;
  cache.set(code, crs);
  return crs;
}

/** The CRS name declared in a WKT1 definition, e.g. `WGS 84 / UTM zone 50N`. */
export function crsNameOfWkt(wkt: string): string | null {
  try {
    return wktName(parseWkt(wkt)) ?? null;
  } catch {
    return null;
  }
}

/** What a CRS may state about itself; {@link proj4Definition} uses the first it has. */
export interface CrsDefinitionSource {
  epsg?: number | null;
  wkt?: string | null;
  proj4?: string | null;
}

/** A CRS definition proj4js can load. */
export interface Proj4Definition {
  /** proj4 string, or OGC WKT (proj4js reads both). */
  def: string;
  /** The `+nadgrids` datum grid left out of `def` because proj4js cannot load it, or null. */
  droppedGrid: string | null;
}

/**
 * The definition proj4js gets for a CRS: its own proj4 string, else the EPSG table's, else its WKT
 * (proj4 strings are the most reliable form). proj4js cannot load datum grid files, and a proj4
 * string that names one (`+nadgrids=NTv2_0.gsb`, as the EPSG table does for NAD27) turns every
 * point into NaN; the grid is dropped, so the definition is used without the shift (what PROJ calls
 * a ballpark transformation, off by up to some tens of metres) and `droppedGrid` names it.
 * `+nadgrids=@null` (no shift) is kept. Null when the CRS states none of the three.
 *
 * @example
 * proj4Definition({ epsg: 26716 });
 * // { def: '+proj=utm +zone=16 +ellps=clrk66 +units=m +no_defs +type=crs', droppedGrid: 'NTv2_0.gsb' }
 */
export function proj4Definition(crs: CrsDefinitionSource): Proj4Definition | null {
  const def = crs.proj4 || (typeof crs.epsg === 'number' ? lookupEpsg(crs.epsg)?.proj4 : null);
  if (!def) return crs.wkt ? { def: crs.wkt, droppedGrid: null } : null;
  const grid = /\+nadgrids=(\S+)/.exec(def);
  if (!grid || grid[1] === '@null') return { def, droppedGrid: null };
  return { def: def.replace(grid[0], '').replace(/\s+/g, ' ').trim(), droppedGrid: grid[1] };
}
