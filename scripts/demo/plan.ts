/**
 * What `scripts/make-demo.ts` makes: the window of the source photograph, the known changes (pixel
 * polygons [column, row] on the 800 × 800 demo grid, with where their content comes from), the
 * radiometry of each date and the interference regions. Written into the demo's metadata file as
 * is, so every figure of the synthesis can be read back next to the images.
 */

/** Where a change's pixels come from. */
export type ChangeSource =
  /** The before image read `dr` rows and `dc` columns away (real roofs, real field). */
  | { type: 'copy'; dr: number; dc: number }
  /**
   * One tone (0..255 after the stretch) with the given amplitude of noise grain, keeping `detail`
   * times the before image's own texture (its deviation from the scene mean).
   */
  | { type: 'tone'; tone: number; grainAmp: number; detail: number };

export interface DemoChange {
  kind: 'new_building' | 'demolition' | 'new_road' | 'earthwork';
  note: string;
  /** Pixel polygon [column, row] on the demo grid; also the true change. */
  polygon: number[][];
  /** Feathering of the paste in pixels (Gaussian sigma of the mask). */
  feather: number;
  source: ChangeSource;
}

const rect = (c0: number, r0: number, c1: number, r1: number): number[][] => [
  [c0, r0],
  [c1, r0],
  [c1, r1],
  [c0, r1],
];

/** A band `width` pixels wide along the segment (c0, r0) → (c1, r1). */
function band(c0: number, r0: number, c1: number, r1: number, width: number): number[][] {
  const len = Math.hypot(c1 - c0, r1 - r0);
  const [nx, ny] = [(-(r1 - r0) / len) * (width / 2), ((c1 - c0) / len) * (width / 2)];
  return [
    [c0 + nx, r0 + ny],
    [c1 + nx, r1 + ny],
    [c1 - nx, r1 - ny],
    [c0 - nx, r0 - ny],
  ];
}

/** An ellipse as a 24-gon. */
function ellipse(cc: number, cr: number, rc: number, rr: number, wobble = 0): number[][] {
  return Array.from({ length: 24 }, (_, i) => {
    const a = (i / 24) * 2 * Math.PI;
    const k = 1 + wobble * Math.sin(3 * a);
    return [cc + rc * k * Math.cos(a), cr + rr * k * Math.sin(a)];
  });
}

/** The big farmhouse's roof in the source window (column 412–460, row 392–422). */
const ROOF_A = { c: 412, r: 392 };
/** A smaller house by the north road (column 220–250, row 157–187). */
const ROOF_B = { c: 220, r: 157 };

export const DEMO_PAIR = {
  seed: 19,
  epsg: 2056,
  /** North-up demo grid in EPSG:2056: top-left corner, pixel size (m) and size (pixels). */
  grid: { x0: 2656022, y0: 1188310, pixel: 0.5, size: 800 },
  files: {
    before: 'demo-before-2023-04-18.tif',
    after: 'demo-after-2024-05-02.tif',
    truth: 'demo-true-changes.geojson',
    meta: 'demo-meta.json',
  },
  source: {
    file: 'ch-bw.tif (OpenLayers test data, test/rendering/data/raster/ch-bw.tif)',
    what: 'grey aerial photograph (film scan with fiducials), EPSG:2056 CH1903+/LV95, rotated geotransform, 0.54 m pixels',
    licence:
      'see LICENSE-imagery.md: most likely a swisstopo aerial image (free geodata, attribution "© swisstopo"); not confirmed by its distributor',
    dates: 'the file names carry illustrative dates; the photograph’s own date is not known',
  },
  radiometry: {
    before: { gain: 1, offset: 0, gamma: 1, gradient: 0.04 },
    after: { gain: 1.06, offset: -8, gamma: 0.9, gradient: -0.1 },
  },
  changes: [
    {
      kind: 'new_building',
      note: 'farmhouse roof pasted into the field east of the crossroads',
      polygon: rect(560, 300, 608, 330),
      feather: 1,
      source: { type: 'copy', dr: ROOF_A.r - 300, dc: ROOF_A.c - 560 },
    },
    {
      kind: 'new_building',
      note: 'farmhouse roof pasted into the field north-east of the crossroads',
      polygon: rect(470, 110, 518, 140),
      feather: 1,
      source: { type: 'copy', dr: ROOF_A.r - 110, dc: ROOF_A.c - 470 },
    },
    {
      kind: 'new_building',
      note: 'small house pasted south of the east road',
      polygon: rect(700, 290, 730, 320),
      feather: 1,
      source: { type: 'copy', dr: ROOF_B.r - 290, dc: ROOF_B.c - 700 },
    },
    {
      kind: 'demolition',
      note: 'houses by the south road covered with the field east of them',
      polygon: rect(346, 456, 392, 514),
      feather: 1.5,
      source: { type: 'copy', dr: 0, dc: 110 },
    },
    {
      kind: 'new_road',
      note: 'a 3.5 m road branching south-east from the east road',
      polygon: band(620, 222, 700, 540, 7),
      feather: 0.8,
      source: { type: 'tone', tone: 196, grainAmp: 18, detail: 0.15 },
    },
    {
      kind: 'earthwork',
      note: 'bare soil of a building site',
      polygon: ellipse(600, 645, 62, 38, 0.12),
      feather: 2,
      source: { type: 'tone', tone: 170, grainAmp: 50, detail: 0.6 },
    },
  ] as DemoChange[],
  /** Interference (not changes), synthesised by METHODS M4 step 3. */
  interference: [
    {
      date: 'after' as const,
      kind: 'haze',
      region: ellipse(200, 110, 130, 90),
      feather: 25,
      sigma: 6,
      strength: 70,
    },
    {
      date: 'before' as const,
      kind: 'cloud shadow',
      region: ellipse(300, 650, 110, 70),
      feather: 20,
      sigma: 6,
      strength: -60,
    },
  ],
};
