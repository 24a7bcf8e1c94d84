/**
 * Reads a reference layer file of any supported kind and puts it on the scene CRS: Shapefile
 * (.shp), GeoJSON (.geojson, .json) or GeoPackage (.gpkg), picked by extension. Every failure is
 * one LandWatchError naming the file.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { LandWatchError } from '../errors.js';
import { readGeoJson } from './geojson-reader.js';
import { readGeoPackage } from './gpkg-reader.js';
import {
  reprojectFeatures,
  resolveSourceCrs,
  transformBetween,
  type ResolvedCrs,
} from './reproject.js';
import { readShapefile } from './shapefile-reader.js';
import type { SourceFeature, SourceLayer } from './types.js';

/** File extensions LandWatch imports as reference layers. */
export const REFERENCE_EXTENSIONS = ['shp', 'geojson', 'json', 'gpkg'];

/** A layer read and reprojected, ready for {@link ReferenceStore.addLayer}. */
export interface SceneLayer {
  name: string;
  sourceName: string;
  /** The file's CRS as a label (EPSG:4326, or the WKT's name). */
  sourceCrs: string;
  fields: string[];
  features: SourceFeature[];
  skipped: number;
}

/** Reads `path` in its own CRS (no reprojection). */
export function readLayerFile(path: string): SourceLayer {
  const file = basename(path);
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat || !existsSync(path)) {
    throw new LandWatchError('E_FILE_NOT_FOUND', `${path}: file not found.`);
  }
  if (!stat.isFile()) throw new LandWatchError('E_BAD_REQUEST', `${path}: not a file.`);
  switch (extname(path).slice(1).toLowerCase()) {
    case 'shp':
      return readShapefile(path);
    case 'geojson':
    case 'json':
      return readGeoJson(path);
    case 'gpkg':
      return readGeoPackage(path);
    default:
      throw new LandWatchError(
        'E_BAD_REQUEST',
        `${file}: reference layers are read from .shp, .geojson, .json or .gpkg files.`,
      );
  }
}

/**
 * Reads `path` and reprojects it onto `scene`. A layer without polygons is refused.
 *
 * @example
 * const layer = readSceneLayer('/data/approved.shp', resolveSceneCrs(store.scene('before'), 'demo'));
 */
export function readSceneLayer(path: string, scene: ResolvedCrs): SceneLayer {
  const source = readLayerFile(path);
  const file = basename(path);
  if (source.features.length === 0) {
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `${file} has no polygon features${source.skipped > 0 ? ` (${source.skipped} features without a polygon were skipped)` : ''}; reference layers must be areas.`,
    );
  }
  const crs = resolveSourceCrs(source.crs, file);
  const features = reprojectFeatures(source.features, transformBetween(crs, scene), file);
  return {
    name: source.name,
    sourceName: file,
    sourceCrs: crs.label,
    fields: source.fields,
    features,
    skipped: source.skipped,
  };
}
