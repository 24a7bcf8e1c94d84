/**
 * Descriptive metadata that helps pick bands and label dates: band wavelengths and descriptions
 * (from GDAL's GDAL_METADATA tag) and the acquisition date (TIFF DateTime, GDAL ACQUISITIONDATE,
 * or a Landsat scene id in the file name); and the GDAL_METADATA tag that names the bands of a
 * raster LandWatch writes (the kind map's kinds).
 */
import type { GeoTIFFImage } from 'geotiff';
import { LandWatchError } from '../errors.js';
import { Tag, type TiffTag } from './tiff-ifd.js';

export interface ImageMetadata {
  /** Centre wavelength per band in micrometres, null where unknown. */
  wavelengths: (number | null)[];
  /** ISO date (YYYY-MM-DD) of acquisition when the file says it. */
  date: string | null;
  /** Each band's description (GDAL's band description), null where the file gives none. */
  descriptions: (string | null)[];
}

/**
 * The GDAL_METADATA tag giving each band a description, as GDAL writes band descriptions. Names
 * holding XML markup (&, <, >) are refused: GDAL escapes such text twice over, geotiff.js not at
 * all, so no one spelling reads back the same in both.
 */
export function bandDescriptionTags(descriptions: readonly string[]): TiffTag[] {
  if (descriptions.length === 0) return [];
  const bad = descriptions.find((d) => /[&<>]/.test(d));
  if (bad !== undefined) {
    throw new LandWatchError('E_INTERNAL', `band description "${bad}" holds &, < or >.`);
  }
  const items = descriptions.map(
    (d, b) => `<Item name="DESCRIPTION" sample="${b}" role="description">${d}</Item>`,
  );
  return [
    {
      tag: Tag.GdalMetadata,
      type: 'ASCII',
      values: `<GDALMetadata>${items.join('')}</GDALMetadata>`,
    },
  ];
}

export async function readImageMetadata(image: GeoTIFFImage): Promise<ImageMetadata> {
  const bands = image.getSamplesPerPixel();
  const wavelengths: (number | null)[] = new Array(bands).fill(null);
  const descriptions: (string | null)[] = new Array(bands).fill(null);
  let date: string | null = null;
  let gdal: Record<string, unknown> | null = null;
  try {
    gdal = await image.getGDALMetadata();
  } catch {
    gdal = null;
  }
  if (gdal) {
    for (let b = 0; b < bands; b++) {
      const text = gdal[`Band_${b + 1}`];
      const m =
        typeof text === 'string' ? /\(([\d.]+)\s*(micrometers|µm|um|nm)\)/i.exec(text) : null;
      if (m) wavelengths[b] = m[2].toLowerCase() === 'nm' ? Number(m[1]) / 1000 : Number(m[1]);
    }
    for (const key of ['ACQUISITIONDATE', 'ACQUISITION_DATE', 'DATE_ACQUIRED']) {
      if (typeof gdal[key] === 'string') date = isoDate(gdal[key] as string) ?? date;
    }
    for (let b = 0; b < bands; b++) {
      const text = (await image.getGDALMetadata(b).catch(() => null))?.DESCRIPTION;
      if (typeof text === 'string') descriptions[b] = text;
    }
  }
  if (!date) {
    try {
      const dt = await image.getFileDirectory().loadValue('DateTime');
      if (typeof dt === 'string') date = isoDate(dt);
    } catch {
      date = null;
    }
  }
  return { wavelengths, date, descriptions };
}

/** Turns "2002:07:12 10:00:00", "2002-07-12" or "20020712" into "2002-07-12". */
export function isoDate(text: string): string | null {
  const m = /(\d{4})[-:/]?(\d{2})[-:/]?(\d{2})/.exec(text);
  if (!m) return null;
  const [, y, mo, d] = m;
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31) return null;
  return `${y}-${mo}-${d}`;
}

/**
 * Reads the acquisition date out of a file name: an ISO date (demo-after-2024-05-02.tif) or a
 * Landsat scene id, e.g.
 * LT51200382000124BJC00 → year 2000, day of year 124 → 2000-05-03.
 */
export function dateFromLandsatName(name: string): string | null {
  const iso = /(?:^|[^\d])(\d{4}-\d{2}-\d{2})(?:[^\d]|$)/.exec(name);
  if (iso) return isoDate(iso[1]);
  const m = /L[CTEMO]\d{7}(\d{4})(\d{3})[A-Z]{3}\d{2}/.exec(name);
  if (!m) return null;
  const year = Number(m[1]);
  const doy = Number(m[2]);
  if (doy < 1 || doy > 366) return null;
  const d = new Date(Date.UTC(year, 0, doy));
  return d.toISOString().slice(0, 10);
}
