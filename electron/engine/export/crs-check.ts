/**
 * CRS problems of an export: a CRS the format cannot carry (error), and for GeoJSON, which must be
 * WGS 84, a reprojection that has to leave out a datum grid LandWatch does not ship (warning).
 */
import proj4 from 'proj4';
import type { ExportFormat } from '../../common/contract.js';
import { lookupEpsg, proj4Definition } from '../crs/epsg.js';
import type { ExportLayer, ExportProblem, LayerCrs } from './types.js';

/** What is wrong with writing the layer's CRS in `format` (nothing: an empty list). */
export function crsProblems(layer: ExportLayer, format: ExportFormat): ExportProblem[] {
  const crs = crsProblem(layer.crs, format);
  if (crs) {
    return [{ severity: 'error', code: 'missing-crs', message: `Layer "${layer.name}": ${crs}.` }];
  }
  const grid = format === 'geojson' ? datumGridMissing(layer.crs) : null;
  if (!grid) return [];
  const message = `Layer "${layer.name}": its CRS shifts datum with the grid ${grid}, which is not available, so the WGS 84 positions in the GeoJSON are approximate (off by up to some tens of metres). Export as GeoPackage or shapefile to keep the exact coordinates.`;
  return [{ severity: 'warning', code: 'datum-approximate', message }];
}

/** Why the CRS cannot be written in `format`, or null when it can. */
function crsProblem(crs: LayerCrs, format: ExportFormat): string | null {
  const known = crs.epsg !== null ? lookupEpsg(crs.epsg) : null;
  if (format === 'geojson') {
    if (crs.epsg === 4326) return null;
    const definition = proj4Definition(crs);
    if (!definition) return 'it has no CRS, so it cannot be reprojected to WGS 84 for GeoJSON';
    try {
      proj4(definition.def, 'WGS84');
      return null;
    } catch {
      return `its CRS (${crs.epsg !== null ? `EPSG:${crs.epsg}` : 'WKT'}) cannot be reprojected to WGS 84`;
    }
  }
  if (crs.wkt || known) return null;
  if (crs.epsg !== null)
    return `EPSG:${crs.epsg} is not in LandWatch's CRS table and no WKT is given`;
  if (format === 'gpkg') return 'it has no CRS, so the GeoPackage would use the "undefined" SRS';
  return 'it has no CRS, so no .prj would be written and GIS tools could not place the patches';
}

/** The datum grid a reprojection to WGS 84 would have to leave out, if any. */
function datumGridMissing(crs: LayerCrs): string | null {
  return crs.epsg === 4326 ? null : (proj4Definition(crs)?.droppedGrid ?? null);
}
