import { describe, expect, it } from 'vitest';
import {
  formatArea,
  formatEta,
  formatLonLat,
  formatMu,
  formatPercent,
} from '../../../renderer/src/format.js';
import {
  STRETCH_COLOR,
  chooseBands,
  defaultSettings,
  heatColor,
  percentileRange,
  stretchRange,
  stretchRanges,
  styleVariables,
  type BandSample,
} from '../../../renderer/src/map/stretch.js';

describe('format', () => {
  it('formats areas, confidence and ETA', () => {
    expect(formatArea(1234.5)).toBe('1,235 m²');
    expect(formatMu(1.8549)).toBe('1.85 mu');
    expect(formatMu(12.34)).toBe('12.3 mu');
    expect(formatPercent(0.874)).toBe('87%');
    expect(formatEta(null)).toBe('—');
    expect(formatEta(45)).toBe('45 s');
    expect(formatEta(185)).toBe('3 min 05 s');
    expect(formatEta(3720)).toBe('1 h 02 min');
    expect(formatLonLat(114.5, -30.25)).toBe('30.250000° S, 114.500000° E');
  });
});

describe('imagery stretch', () => {
  it('shows grey for 1–2 bands and RGB from 3', () => {
    expect(chooseBands(1)).toEqual([1]);
    expect(chooseBands(2)).toEqual([1]);
    expect(chooseBands(4)).toEqual([1, 2, 3]);
    expect(defaultSettings(1).bands).toEqual([1, 1, 1]);
    expect(defaultSettings(4)).toEqual({
      bands: [1, 2, 3],
      stretch: 'percentile',
      min: 0,
      max: 255,
    });
  });

  it('stretches 2–98 % ignoring nodata and NaN', () => {
    const values = Float32Array.from({ length: 101 }, (_, i) => i * 10);
    values[0] = -9999;
    values[1] = NaN;
    const range = percentileRange(values, -9999);
    expect(range).not.toBeNull();
    expect(range!.min).toBeGreaterThanOrEqual(20);
    expect(range!.min).toBeLessThanOrEqual(50);
    expect(range!.max).toBeGreaterThanOrEqual(970);
    expect(range!.max).toBeLessThan(1000);
  });

  it('handles flat and empty bands', () => {
    expect(percentileRange(Uint8Array.from([7, 7, 7]), null)).toEqual({ min: 7, max: 8 });
    expect(percentileRange(Uint8Array.from([0, 0]), 0)).toBeNull();
  });
});

describe('band choice and stretch', () => {
  // Band 1: 0…99, band 2: 100…199, band 3: 0 (nodata) then 50…148; 100 values each.
  const sample: BandSample = {
    values: [
      Float32Array.from({ length: 100 }, (_, i) => i),
      Float32Array.from({ length: 100 }, (_, i) => 100 + i),
      Float32Array.from({ length: 100 }, (_, i) => (i === 0 ? 0 : 49 + i)),
    ],
    nodata: 0,
    bitsPerSample: 8,
  };
  const rgb = defaultSettings(3);

  it('stretches 2–98 % over the chosen bands, one range for all three', () => {
    // Band 1 without its nodata 0: 1…99 → 3 … 97; band 2: 102 … 197; band 3: 52 … 146.
    expect(stretchRange(sample, rgb)).toEqual({ min: 3, max: 197 });
    expect(stretchRange(sample, { ...rgb, bands: [3, 3, 3] })).toEqual({ min: 52, max: 146 });
  });

  it('stretches each band on its own with bandwise, the default for bands picked by wavelength', () => {
    const bandwise = { ...rgb, stretch: 'bandwise' as const };
    expect(stretchRanges(sample, bandwise)).toEqual([
      { min: 3, max: 97 },
      { min: 102, max: 197 },
      { min: 52, max: 146 },
    ]);
    // The shared modes give all three bands the one range.
    expect(stretchRanges(sample, rgb)).toEqual([
      { min: 3, max: 197 },
      { min: 3, max: 197 },
      { min: 3, max: 197 },
    ]);
    expect(defaultSettings(6, [3, 2, 1])).toEqual({
      bands: [3, 2, 1],
      stretch: 'bandwise',
      min: 0,
      max: 255,
    });
    // A pick that does not fit the file is ignored: the first three bands, one range.
    expect(defaultSettings(3, [4, 3, 2]).bands).toEqual([1, 2, 3]);
    expect(defaultSettings(3, null).stretch).toBe('percentile');
  });

  it('keeps every value with min–max, and takes a manual range as given', () => {
    expect(stretchRange(sample, { ...rgb, stretch: 'minmax' })).toEqual({ min: 1, max: 199 });
    expect(stretchRange(sample, { ...rgb, stretch: 'manual', min: 10, max: 90 })).toEqual({
      min: 10,
      max: 90,
    });
    expect(stretchRange(sample, { ...rgb, stretch: 'manual', min: 10, max: 10 }).max).toBe(11);
  });

  it("falls back to the data type's range without statistics", () => {
    expect(stretchRange(null, rgb)).toEqual({ min: 0, max: 255 });
    expect(stretchRange({ ...sample, values: [], bitsPerSample: 16 }, rgb)).toEqual({
      min: 0,
      max: 65535,
    });
  });

  it('feeds bands and range to the style as variables', () => {
    const range = { min: 5, max: 250 };
    const vars = styleVariables({ ...rgb, bands: [4, 3, 2] }, [range, range, range]);
    expect(vars).toEqual({
      r: 4,
      g: 3,
      b: 2,
      loR: 5,
      hiR: 250,
      loG: 5,
      hiG: 250,
      loB: 5,
      hiB: 250,
    });
    expect(JSON.stringify(STRETCH_COLOR)).toContain('["band",["var","r"]]');
  });

  it('colours the heat layer transparent below the low value', () => {
    const heat = heatColor(51);
    expect(heat.slice(0, 3)).toEqual(['case', ['<', ['band', 1], 51], [0, 0, 0, 0]]);
  });
});

describe('hover and filter labels', () => {
  it('describes a patch in four lines', async () => {
    const { hoverLines } = await import('../../../renderer/src/format.js');
    const lines = hoverLines(
      {
        number: 12,
        state: 'field_check',
        areaM2: 1500,
        areaMu: 2.25,
        meanProb: 0.734,
        maxProb: 0.91,
        attributes: { changeKind: 'new_building', changeClass: '01' },
      },
      (code) => (code === '01' ? '新增建设用地' : null),
    );
    expect(lines).toEqual([
      '#12 · Field check',
      'New building · class 01 新增建设用地',
      '1,500 m² · 2.25 mu',
      'Confidence 73% (max 91%)',
    ]);
    const bare = hoverLines({
      ...{ number: 1, state: 'unreviewed' as const },
      areaM2: 10,
      areaMu: 0.015,
      meanProb: 0.5,
      maxProb: 0.5,
    });
    expect(bare[1]).toBe('Kind not reported · unclassified');
  });

  it('labels runs and kinds', async () => {
    const { kindLabel, runLabel } = await import('../../../renderer/src/format.js');
    expect(kindLabel('new_road')).toBe('New road');
    expect(runLabel({ startedAt: '2024-05-10T08:30:12.000Z', patchCount: 1, modelId: 'm1' })).toBe(
      '2024-05-10 08:30 · 1 patch · m1',
    );
  });
});

describe('area of interest text', () => {
  it('gives the size and area of a drawn rectangle', async () => {
    const { describeAoi } = await import('../../../renderer/src/format.js');
    const ring = [
      [0, 0],
      [420, 0],
      [420, 310],
      [0, 310],
      [0, 0],
    ];
    expect(describeAoi([ring])).toBe('420 × 310 m · 130,200 m² (195.3 mu)');
  });
});
