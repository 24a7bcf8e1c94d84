import { describe, expect, it } from 'vitest';
import {
  formatArea,
  formatEta,
  formatLonLat,
  formatMu,
  formatPercent,
} from '../../../renderer/src/format.js';
import {
  chooseBands,
  colorExpression,
  percentileRange,
  sourceMinMax,
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
    expect(colorExpression(1)).toEqual(['array', ['band', 1], ['band', 1], ['band', 1], 1]);
    expect(colorExpression(3)).toEqual(['array', ['band', 1], ['band', 2], ['band', 3], 1]);
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

  it('builds per-file-band min/max arrays', () => {
    const ranges = new Map([
      [1, { min: 1, max: 2 }],
      [3, { min: 5, max: 6 }],
      [9, { min: 0, max: 1 }],
    ]);
    expect(sourceMinMax(4, ranges)).toEqual({
      min: [1, undefined, 5, undefined],
      max: [2, undefined, 6, undefined],
    });
  });
});

describe('displayRanges', () => {
  it('keeps bright 8-bit imagery at 0–255 and shares one range across bands', async () => {
    const { displayRanges } = await import('../../../renderer/src/map/stretch.js');
    const bright = displayRanges(
      new Map([
        [1, { min: 20, max: 200 }],
        [2, { min: 30, max: 180 }],
      ]),
      8,
    );
    expect([...bright.values()]).toEqual([
      { min: 0, max: 255 },
      { min: 0, max: 255 },
    ]);
    const dark16 = displayRanges(
      new Map([
        [1, { min: 100, max: 900 }],
        [2, { min: 150, max: 1200 }],
      ]),
      16,
    );
    expect([...dark16.values()]).toEqual([
      { min: 100, max: 1200 },
      { min: 100, max: 1200 },
    ]);
    expect(displayRanges(new Map(), 8).size).toBe(0);
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
