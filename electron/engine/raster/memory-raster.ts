/**
 * A raster held in memory (band-sequential Float32 planes) with the same windowed-read behaviour as a
 * GeoTIFF source: pixels outside the image come back as NaN. For evaluation on PNG pairs and tests.
 */
import type { PixelWindow, RasterInfo } from './raster-source.js';

/** What the samples stand for (statistics stretch float data but not 8-bit data). */
export type SampleType = Pick<RasterInfo, 'bitsPerSample' | 'sampleFormat'>;

export class MemoryRaster {
  readonly info: {
    name: string;
    nodata: number | null;
    alphaBand: number | null;
    width: number;
    height: number;
    bands: number;
    bitsPerSample: number;
    sampleFormat: RasterInfo['sampleFormat'];
  };

  constructor(
    name: string,
    readonly width: number,
    readonly height: number,
    private readonly planes: Float32Array[],
    sample: SampleType = { bitsPerSample: 32, sampleFormat: 'float' },
  ) {
    this.info = {
      name,
      nodata: null,
      alphaBand: null,
      width,
      height,
      bands: planes.length,
      ...sample,
    };
  }

  /** From interleaved 8-bit pixels (RGB or RGBA; only the first `bands` channels are kept). */
  static fromInterleaved(
    name: string,
    width: number,
    height: number,
    data: ArrayLike<number>,
    channels: number,
    bands = 3,
  ): MemoryRaster {
    const planes = Array.from({ length: bands }, () => new Float32Array(width * height));
    for (let i = 0; i < width * height; i++) {
      for (let b = 0; b < bands; b++) planes[b][i] = data[i * channels + b];
    }
    return new MemoryRaster(name, width, height, planes, {
      bitsPerSample: 8,
      sampleFormat: 'uint',
    });
  }

  async readWindow(window: PixelWindow, bands: number[]): Promise<Float32Array[]> {
    return bands.map((b) => {
      const src = this.planes[b];
      const out = new Float32Array(window.width * window.height).fill(Number.NaN);
      for (let r = 0; r < window.height; r++) {
        const y = window.y + r;
        if (y < 0 || y >= this.height) continue;
        for (let c = 0; c < window.width; c++) {
          const x = window.x + c;
          if (x >= 0 && x < this.width) out[r * window.width + c] = src[y * this.width + x];
        }
      }
      return out;
    });
  }
}
