/**
 * GeoTIFF georeferencing tags: where the pixels are (ModelPixelScale + ModelTiepoint, or
 * ModelTransformation when the grid is rotated) and in which CRS (the GeoKey directory).
 */
import { LandWatchError } from '../errors.js';
import { lookupEpsg } from '../crs/epsg.js';
import { Tag, type TiffTag } from './tiff-ifd.js';

/** GDAL-order affine transform: [originX, pixelWidth, rowRotation, originY, colRotation, pixelHeight]. */
export type GeoTransform = readonly [number, number, number, number, number, number];

/** The three raw GeoKey tags of an existing GeoTIFF, as read from its first directory. */
export interface RawGeoKeys {
  /** GeoKeyDirectoryTag (34735) values, header included. */
  geoKeyDirectory: readonly number[];
  /** GeoDoubleParamsTag (34736) values. */
  doubleParams?: readonly number[];
  /** GeoAsciiParamsTag (34737) text, with its `|` separators. */
  asciiParams?: string;
}

/**
 * How to state the CRS: by EPSG code, or by copying another GeoTIFF's GeoKeys verbatim so that a
 * derived raster (a change mask) has exactly the CRS of its source, custom projections included.
 */
export type GeoKeySource = { epsg: number } | { copyFrom: RawGeoKeys };

const KEY = {
  GTModelType: 1024,
  GTRasterType: 1025,
  GeographicType: 2048,
  ProjectedCSType: 3072,
} as const;
const MODEL_PROJECTED = 1;
const MODEL_GEOGRAPHIC = 2;
const RASTER_PIXEL_IS_AREA = 1;
const RASTER_PIXEL_IS_POINT = 2;

/** Builds the directory for an EPSG code; GDAL and QGIS resolve the rest from their databases. */
function epsgGeoKeys(epsg: number): RawGeoKeys {
  const crs = lookupEpsg(epsg);
  if (!crs) {
    throw new LandWatchError(
      'E_CRS_UNKNOWN',
      `EPSG:${epsg} is not a projected or geographic CRS known to LandWatch; copy the source image's GeoKeys instead.`,
    );
  }
  if (epsg > 0xffff) {
    throw new LandWatchError(
      'E_CRS_UNKNOWN',
      `EPSG:${epsg} does not fit a GeoTIFF key (max 65535).`,
    );
  }
  const modelType = crs.geographic ? MODEL_GEOGRAPHIC : MODEL_PROJECTED;
  const crsKey = crs.geographic ? KEY.GeographicType : KEY.ProjectedCSType;
  return {
    geoKeyDirectory: [
      ...[1, 1, 0, 3],
      ...[KEY.GTModelType, 0, 1, modelType],
      ...[KEY.GTRasterType, 0, 1, RASTER_PIXEL_IS_AREA],
      ...[crsKey, 0, 1, epsg],
    ],
  };
}

/** Rejects a copied directory whose entries point outside its own parameter arrays. */
function checkDirectory(keys: RawGeoKeys): void {
  const dir = keys.geoKeyDirectory;
  const bad = (why: string): never => {
    throw new LandWatchError('E_NO_GEOREF', `Cannot copy GeoKeys: ${why}.`);
  };
  if (dir.length < 4) bad('the GeoKey directory is shorter than its header');
  const count = dir[3];
  if (dir.length !== 4 + 4 * count)
    bad(`the directory declares ${count} keys but has ${dir.length} values`);
  for (let i = 0; i < count; i++) {
    const [key, location, n, offset] = dir.slice(4 + i * 4, 8 + i * 4);
    if (location === Tag.GeoDoubleParams && offset + n > (keys.doubleParams?.length ?? 0)) {
      bad(`key ${key} points past the end of GeoDoubleParams`);
    }
    if (location === Tag.GeoAsciiParams && offset + n > (keys.asciiParams?.length ?? 0)) {
      bad(`key ${key} points past the end of GeoAsciiParams`);
    }
  }
}

/** The GTRasterTypeGeoKey value of a directory (PixelIsArea when absent, as GDAL assumes). */
function rasterType(dir: readonly number[]): number {
  for (let i = 4; i + 3 < dir.length; i += 4) {
    if (dir[i] === KEY.GTRasterType && dir[i + 1] === 0) return dir[i + 3];
  }
  return RASTER_PIXEL_IS_AREA;
}

/**
 * All georeferencing tags for a raster. The transform is always given GDAL-style (corner of the
 * top-left pixel); when copied keys say PixelIsPoint, the tiepoint moves to the pixel centre, the
 * way GDAL writes such files, so GDAL reads back exactly the transform given here.
 */
export function georeferencingTags(geoTransform: GeoTransform, source: GeoKeySource): TiffTag[] {
  if (geoTransform.length !== 6 || geoTransform.some((v) => !Number.isFinite(v))) {
    throw new LandWatchError('E_NO_GEOREF', 'The geotransform must be six finite numbers.');
  }
  const [x0, dx, rx, y0, ry, dy] = geoTransform;
  if (dx * dy - rx * ry === 0) {
    throw new LandWatchError('E_NO_GEOREF', 'The geotransform is degenerate (zero pixel size).');
  }
  const keys = 'epsg' in source ? epsgGeoKeys(source.epsg) : source.copyFrom;
  checkDirectory(keys);

  const half = rasterType(keys.geoKeyDirectory) === RASTER_PIXEL_IS_POINT ? 0.5 : 0;
  const originX = x0 + half * (dx + rx);
  const originY = y0 + half * (ry + dy);

  const tags: TiffTag[] = [];
  if (rx === 0 && ry === 0 && dx > 0 && dy < 0) {
    tags.push({ tag: Tag.ModelPixelScale, type: 'DOUBLE', values: [dx, -dy, 0] });
    tags.push({ tag: Tag.ModelTiepoint, type: 'DOUBLE', values: [0, 0, 0, originX, originY, 0] });
  } else {
    // Rotated or flipped grids cannot be expressed by scale + tiepoint.
    tags.push({
      tag: Tag.ModelTransformation,
      type: 'DOUBLE',
      values: [dx, rx, 0, originX, ry, dy, 0, originY, 0, 0, 0, 0, 0, 0, 0, 1],
    });
  }
  tags.push({ tag: Tag.GeoKeyDirectory, type: 'SHORT', values: [...keys.geoKeyDirectory] });
  if (keys.doubleParams?.length) {
    tags.push({ tag: Tag.GeoDoubleParams, type: 'DOUBLE', values: [...keys.doubleParams] });
  }
  if (keys.asciiParams?.length) {
    tags.push({ tag: Tag.GeoAsciiParams, type: 'ASCII', values: keys.asciiParams });
  }
  return tags;
}
