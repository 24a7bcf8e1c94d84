/**
 * Turns a GeoTIFF's GeoKeys into a CRS description: EPSG code, WKT and proj4 where known, whether
 * coordinates are degrees, and how many metres one coordinate unit is (for correct areas).
 * User-defined projections (code 32767) are rebuilt as proj4 for the common methods.
 */
import { lookupEpsg } from '../crs/epsg.js';
import { LandWatchError } from '../errors.js';

export interface CrsInfo {
  /** EPSG code, or null for a user-defined CRS. */
  epsg: number | null;
  /** "EPSG:32650", or "custom" for a user-defined CRS. */
  id: string;
  name: string;
  wkt: string | null;
  proj4: string | null;
  geographic: boolean;
  metresPerUnit: number;
}

type GeoKeys = Record<string, unknown>;

const USER_DEFINED = 32767;

/** Linear unit codes (EPSG) to metres. */
const LINEAR_UNITS: Record<number, number> = {
  9001: 1,
  9002: 0.3048,
  9003: 1200 / 3937,
  9036: 1000,
};

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function resolveCrs(keys: GeoKeys, fileName: string): CrsInfo {
  const projected = num(keys.ProjectedCSTypeGeoKey);
  const geographic = num(keys.GeographicTypeGeoKey);
  const model = num(keys.GTModelTypeGeoKey);
  const code =
    projected && projected !== USER_DEFINED
      ? projected
      : model === 2 && geographic && geographic !== USER_DEFINED
        ? geographic
        : null;
  if (code) {
    const found = lookupEpsg(code);
    if (!found) {
      throw new LandWatchError(
        'E_CRS_UNKNOWN',
        `${fileName}: CRS EPSG:${code} is not in LandWatch's EPSG table.`,
      );
    }
    return {
      epsg: code,
      id: `EPSG:${code}`,
      name: found.name,
      wkt: found.wkt,
      proj4: found.proj4,
      geographic: found.geographic,
      metresPerUnit: found.metresPerUnit,
    };
  }
  if (model === 1 && projected === USER_DEFINED) {
    const unit = num(keys.ProjLinearUnitsGeoKey);
    const metresPerUnit =
      num(keys.ProjLinearUnitSizeGeoKey) ?? (unit ? LINEAR_UNITS[unit] : undefined) ?? 1;
    const proj4 = userDefinedProj4(keys, metresPerUnit);
    return {
      epsg: null,
      id: 'custom',
      name:
        typeof keys.GTCitationGeoKey === 'string'
          ? keys.GTCitationGeoKey
          : 'user-defined projection',
      wkt: null,
      proj4,
      geographic: false,
      metresPerUnit,
    };
  }
  throw new LandWatchError(
    'E_CRS_UNKNOWN',
    `${fileName}: the coordinate reference system cannot be determined from its GeoKeys (model type ${model ?? 'missing'}).`,
  );
}

/**
 * proj4 text for the user-defined projections GeoTIFF writers commonly emit, else null. GeoTIFF
 * states false easting/northing in the projection's linear unit; proj4 wants metres for them and
 * `+to_meter` for the coordinates, so a projection in feet reprojects correctly.
 */
function userDefinedProj4(k: GeoKeys, metresPerUnit: number): string | null {
  const method = num(k.ProjCoordTransGeoKey);
  const lat0 =
    num(k.ProjNatOriginLatGeoKey) ??
    num(k.ProjFalseOriginLatGeoKey) ??
    num(k.ProjCenterLatGeoKey) ??
    0;
  const lon0 =
    num(k.ProjNatOriginLongGeoKey) ??
    num(k.ProjFalseOriginLongGeoKey) ??
    num(k.ProjCenterLongGeoKey) ??
    0;
  const x0 = num(k.ProjFalseEastingGeoKey) ?? num(k.ProjFalseOriginEastingGeoKey) ?? 0;
  const y0 = num(k.ProjFalseNorthingGeoKey) ?? num(k.ProjFalseOriginNorthingGeoKey) ?? 0;
  const k0 = num(k.ProjScaleAtNatOriginGeoKey) ?? 1;
  const p1 = num(k.ProjStdParallel1GeoKey);
  const p2 = num(k.ProjStdParallel2GeoKey);
  const datum = num(k.GeographicTypeGeoKey) === 4326 ? '+datum=WGS84' : ellipsoid(k);
  const units = metresPerUnit === 1 ? '+units=m' : `+to_meter=${metresPerUnit}`;
  const tail = `+x_0=${x0 * metresPerUnit} +y_0=${y0 * metresPerUnit} ${datum} ${units} +no_defs`;
  switch (method) {
    case 1:
      return `+proj=tmerc +lat_0=${lat0} +lon_0=${lon0} +k=${k0} ${tail}`;
    case 7:
      return `+proj=merc +lon_0=${lon0} +k=${k0} ${tail}`;
    case 8:
      return `+proj=lcc +lat_1=${p1 ?? lat0} +lat_2=${p2 ?? lat0} +lat_0=${lat0} +lon_0=${lon0} ${tail}`;
    case 11:
      return `+proj=aea +lat_1=${p1 ?? lat0} +lat_2=${p2 ?? lat0} +lat_0=${lat0} +lon_0=${lon0} ${tail}`;
    default:
      return null;
  }
}

function ellipsoid(k: GeoKeys): string {
  const a = num(k.GeogSemiMajorAxisGeoKey);
  const rf = num(k.GeogInvFlatteningGeoKey);
  return a && rf ? `+a=${a} +rf=${rf}` : '+ellps=WGS84';
}
