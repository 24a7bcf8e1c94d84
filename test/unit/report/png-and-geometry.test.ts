import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import {
  chipExtent,
  chipPixels,
  markerBox,
  overviewSize,
  svgPath,
} from '../../../electron/engine/report/chip-geometry.js';
import { encodePng, pngDataUri } from '../../../electron/engine/report/png.js';

describe('encodePng', () => {
  it.each([3, 4] as const)(
    'round-trips %i-channel pixels through a reference decoder',
    (channels) => {
      const [width, height] = [37, 23];
      const pixels = new Uint8Array(width * height * channels);
      // Gradients, noise and flat runs exercise every row filter.
      for (let i = 0; i < pixels.length; i++) {
        const y = Math.floor(i / (width * channels));
        pixels[i] = y < 8 ? (i * 7) & 0xff : y < 16 ? (i * 2654435761) >>> 24 : 200;
      }
      const decoded = PNG.sync.read(encodePng(pixels, width, height, channels));
      expect([decoded.width, decoded.height]).toEqual([width, height]);
      const rgba = new Uint8Array(decoded.data);
      for (let p = 0; p < width * height; p++) {
        for (let c = 0; c < channels; c++) expect(rgba[p * 4 + c]).toBe(pixels[p * channels + c]);
      }
    },
  );

  it('compresses flat imagery well and refuses inconsistent sizes', () => {
    const flat = encodePng(new Uint8Array(256 * 256 * 3).fill(90), 256, 256, 3);
    expect(flat.length).toBeLessThan(1000);
    expect(pngDataUri(flat)).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
    expect(() => encodePng(new Uint8Array(10), 2, 2, 3)).toThrow(/needs 12/);
  });
});

describe('chip geometry', () => {
  it('centres a square chip on the patch with a margin and a minimum side', () => {
    expect(chipExtent([100, 200, 140, 220])).toEqual([76, 166, 164, 254]);
    expect(chipExtent([0, 0, 10, 10], { minSide: 60 })).toEqual([-25, -25, 35, 35]);
  });

  it("uses the image's own resolution within limits", () => {
    expect(chipPixels([0, 0, 60, 60], 0.5)).toBe(120);
    expect(chipPixels([0, 0, 60, 60], 2)).toBe(96);
    expect(chipPixels([0, 0, 600, 600], 0.5)).toBe(320);
    expect(overviewSize([0, 0, 2000, 1000], 512)).toEqual({ width: 512, height: 256 });
  });

  it('draws outlines in chip pixels, y down, holes as subpaths', () => {
    const geometry = {
      type: 'Polygon' as const,
      coordinates: [
        [
          [10, 10],
          [30, 10],
          [30, 30],
          [10, 30],
          [10, 10],
        ],
        [
          [15, 15],
          [20, 15],
          [20, 20],
          [15, 15],
        ],
      ],
    };
    expect(svgPath(geometry, [0, 0, 40, 40], 80, 80)).toBe(
      'M20.0 60.0L60.0 60.0L60.0 20.0L20.0 20.0ZM30.0 50.0L40.0 50.0L40.0 40.0Z',
    );
  });

  it('places overview markers in percent and keeps small ones visible', () => {
    expect(markerBox([100, 700, 300, 900], [0, 0, 1000, 1000])).toEqual({
      left: 10,
      top: 10,
      width: 20,
      height: 20,
    });
    const tiny = markerBox([500, 500, 501, 501], [0, 0, 1000, 1000]);
    expect(tiny.width).toBe(3);
    expect(tiny.left).toBeCloseTo(48.55);
  });
});
