/**
 * What RasterSource.open reads from a GeoTIFF's first image: size, bands (as the colour model
 * presents them), sample type, georeferencing, CRS, no-data, alpha and metadata.
 */
import type { GeoTIFF, GeoTIFFImage } from 'geotiff';
import { LandWatchError } from '../errors.js';
import type { ColourModel } from './colour-model.js';
import { resolveCrs } from './crs-from-geokeys.js';
import { dateFromLandsatName, readImageMetadata } from './gdal-metadata.js';
import type { GeoKeyTags, GeoTransform, RasterInfo } from './raster-source.js';

/** The RasterInfo of `image`; throws E_NO_GEOREF when it is not (validly) georeferenced. */
export async function describe(
  path: string,
  name: string,
  tiff: GeoTIFF,
  image: GeoTIFFImage,
  colour: ColourModel,
): Promise<RasterInfo> {
  const fd = image.getFileDirectory();
  const metadata = await readImageMetadata(image);
  metadata.date ??= dateFromLandsatName(name);
  if (!fd.hasTag('ModelPixelScale') && !fd.hasTag('ModelTransformation')) {
    throw new LandWatchError(
      'E_NO_GEOREF',
      `${name}: the TIFF has no georeferencing (no ModelPixelScale/ModelTiepoint or ModelTransformation tags); LandWatch needs GeoTIFFs.`,
    );
  }
  const geoKeys = image.getGeoKeys() ?? {};
  const geoTransform = await readGeoTransform(name, image, geoKeys);
  const crs = resolveCrs(geoKeys, name);
  const bands = colour.bands;
  const converted = colour.kind !== 'direct';
  const formatCode = Number(fd.getValue('SampleFormat')?.[0] ?? 1);
  const extra = (await fd.loadValue('ExtraSamples')) as number[] | undefined;
  const alphaBand =
    extra && extra.length > 0 && (extra[0] === 1 || extra[0] === 2) ? bands - extra.length : null;
  const count = await tiff.getImageCount();
  return {
    path,
    name,
    width: image.getWidth(),
    height: image.getHeight(),
    bands,
    bitsPerSample: converted ? 8 : Number(fd.getValue('BitsPerSample')?.[0] ?? 8),
    sampleFormat: formatCode === 3 ? 'float' : formatCode === 2 ? 'int' : 'uint',
    geoTransform,
    crs,
    // A palette's no-data index becomes NaN when expanded (colour-model.ts).
    nodata: colour.kind === 'palette' ? null : image.getGDALNoData(),
    alphaBand,
    photometric: Number(fd.getValue('PhotometricInterpretation') ?? 1),
    overviewCount: Math.max(0, count - 1),
    metadata,
    geoKeyTags: await readGeoKeyTags(image),
  };
}

async function readGeoTransform(
  name: string,
  image: GeoTIFFImage,
  geoKeys: Record<string, unknown>,
): Promise<GeoTransform> {
  const fd = image.getFileDirectory();
  const transform = (await fd.loadValue('ModelTransformation')) as number[] | undefined;
  let gt: GeoTransform;
  if (transform && transform.length >= 8) {
    gt = [transform[3], transform[0], transform[1], transform[7], transform[4], transform[5]];
  } else {
    const scale = (await fd.loadValue('ModelPixelScale')) as number[];
    const tie = ((await fd.loadValue('ModelTiepoint')) as number[] | undefined) ?? [
      0, 0, 0, 0, 0, 0,
    ];
    const [i, j, , x, y] = tie;
    gt = [x - i * scale[0], scale[0], 0, y + j * scale[1], 0, -scale[1]];
  }
  // PixelIsPoint: the tie point is a pixel centre; GDAL shifts by half a pixel to get the corner.
  if (geoKeys.GTRasterTypeGeoKey === 2) {
    gt[0] -= 0.5 * gt[1] + 0.5 * gt[2];
    gt[3] -= 0.5 * gt[4] + 0.5 * gt[5];
  }
  const det = gt[1] * gt[5] - gt[2] * gt[4];
  if (!gt.every(Number.isFinite) || det === 0 || !Number.isFinite(det)) {
    throw new LandWatchError(
      'E_NO_GEOREF',
      `${name}: the georeferencing is degenerate (pixel size ${gt[1]}×${gt[5]}); the file may be damaged.`,
    );
  }
  return gt;
}

async function readGeoKeyTags(image: GeoTIFFImage): Promise<GeoKeyTags> {
  const fd = image.getFileDirectory();
  const directory = Array.from(
    ((await fd.loadValue('GeoKeyDirectory')) as ArrayLike<number> | undefined) ?? [],
  );
  const doubles = (await fd.loadValue('GeoDoubleParams')) as ArrayLike<number> | undefined;
  const ascii = (await fd.loadValue('GeoAsciiParams')) as string | undefined;
  return {
    directory,
    doubleParams: doubles ? Array.from(doubles) : undefined,
    asciiParams: typeof ascii === 'string' ? ascii : undefined,
  };
}
