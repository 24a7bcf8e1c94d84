/**
 * How a TIFF's stored samples become the bands a reader sees, so imagery is read as it is meant:
 * JPEG-compressed YCbCr (GDAL's usual `COMPRESS=JPEG PHOTOMETRIC=YCBCR`) is converted to RGB as
 * libjpeg does, and a palette image is expanded through its colour map to three 8-bit bands. Other
 * photometric interpretations are read as stored.
 */
import type { GeoTIFFImage } from 'geotiff';

export interface ColourModel {
  kind: 'direct' | 'ycbcr' | 'palette';
  /** Bands readers see (3 for a palette image). */
  bands: number;
  /** Stored samples to read for the requested bands, in that order. */
  raw(bands: number[]): number[];
  /**
   * Turns the stored samples (read in `raw(bands)` order) into the requested bands. `nodata` is
   * the file's no-data value: palette indices equal to it become NaN.
   */
  convert(stored: Float32Array[], bands: number[], nodata: number | null): Float32Array[];
}

const DIRECT = (bands: number): ColourModel => ({
  kind: 'direct',
  bands,
  raw: (b) => b,
  convert: (stored) => stored,
});

/** The colour model of `image` (samples per pixel `spp`). */
export async function colourModel(image: GeoTIFFImage, spp: number): Promise<ColourModel> {
  const fd = image.getFileDirectory();
  const photometric = Number(fd.getValue('PhotometricInterpretation') ?? 1);
  const compression = Number(fd.getValue('Compression') ?? 1);
  if (photometric === 6 && compression === 7 && spp >= 3) return ycbcrModel(spp);
  if (photometric === 3 && spp === 1) {
    const map = (await fd.loadValue('ColorMap')) as ArrayLike<number> | undefined;
    if (map && map.length % 3 === 0) return paletteModel(map);
  }
  return DIRECT(spp);
}

/** Stored Y, Cb, Cr (and any extra samples after them, read as they are). */
function ycbcrModel(spp: number): ColourModel {
  const raw = (bands: number[]): number[] => [
    0,
    1,
    2,
    ...bands.filter((b) => b > 2).filter((b, i, a) => a.indexOf(b) === i),
  ];
  return {
    kind: 'ycbcr',
    bands: spp,
    raw,
    convert(stored, bands) {
      const [y, cb, cr] = stored;
      const extra = raw(bands);
      return bands.map((band) => {
        if (band > 2) return Float32Array.from(stored[extra.indexOf(band)]);
        const out = new Float32Array(y.length);
        for (let i = 0; i < out.length; i++) {
          const l = y[i];
          const u = cb[i] - 128;
          const v = cr[i] - 128;
          // JFIF full-range YCbCr → RGB, rounded and clamped to 8 bits as libjpeg does.
          const c =
            band === 0
              ? l + 1.402 * v
              : band === 1
                ? l - 0.344136 * u - 0.714136 * v
                : l + 1.772 * u;
          out[i] = c !== c ? c : c <= 0 ? 0 : c >= 255 ? 255 : Math.round(c);
        }
        return out;
      });
    },
  };
}

/** One stored index band → red, green, blue through the 16-bit colour map (÷ 257 → 8 bits). */
function paletteModel(map: ArrayLike<number>): ColourModel {
  const entries = map.length / 3;
  const lut = [0, 1, 2].map((c) =>
    Float32Array.from({ length: entries }, (_, i) => Math.round(map[c * entries + i] / 257)),
  );
  return {
    kind: 'palette',
    bands: 3,
    raw: () => [0],
    convert([index], bands, nodata) {
      return bands.map((band) => {
        const table = lut[Math.min(2, Math.max(0, band))];
        const out = new Float32Array(index.length);
        for (let i = 0; i < out.length; i++) {
          const k = index[i];
          out[i] = k !== k || k === nodata || k < 0 || k >= entries ? Number.NaN : table[k];
        }
        return out;
      });
    },
  };
}
