/**
 * A deterministic two-date demo scene: farmland, roads, trees and houses at 0.5 m, and on the after
 * date a seasonal colour shift plus known changes — new buildings, demolitions, earthwork and a new
 * road. Pure (no I/O): returns the pixels and the list of true changes.
 */
import { seededRandom } from '../../electron/engine/random.js';

export const DEMO_SIZE = 1024;
export const DEMO_PIXEL_M = 0.5;
/** Upper-left corner in EPSG:32650 (UTM 50N, near Nanjing). */
export const DEMO_ORIGIN: [number, number] = [662000, 3548000];
export const DEMO_EPSG = 32650;

export type ChangeKind = 'new_building' | 'demolition' | 'earthwork' | 'new_road';

export interface TrueChange {
  kind: ChangeKind;
  /** Pixel rectangle [x, y, w, h]. */
  rect: [number, number, number, number];
}

export interface DemoScene {
  before: Uint8Array;
  after: Uint8Array;
  changes: TrueChange[];
}

type Rgb = [number, number, number];

class Canvas {
  readonly px: Uint8Array;
  constructor(readonly size: number) {
    this.px = new Uint8Array(size * size * 3);
  }
  rect(x: number, y: number, w: number, h: number, color: Rgb, noise: () => number, amp = 6): void {
    for (let r = Math.max(0, y); r < Math.min(this.size, y + h); r++) {
      for (let c = Math.max(0, x); c < Math.min(this.size, x + w); c++) {
        const n = (noise() - 0.5) * 2 * amp;
        const k = (r * this.size + c) * 3;
        for (let b = 0; b < 3; b++) this.px[k + b] = clamp(color[b] + n);
      }
    }
  }
  disc(cx: number, cy: number, radius: number, color: Rgb, noise: () => number): void {
    for (let r = Math.floor(cy - radius); r <= cy + radius; r++) {
      for (let c = Math.floor(cx - radius); c <= cx + radius; c++) {
        if (r < 0 || c < 0 || r >= this.size || c >= this.size) continue;
        if ((r - cy) ** 2 + (c - cx) ** 2 > radius ** 2) continue;
        const k = (r * this.size + c) * 3;
        const n = (noise() - 0.5) * 20;
        for (let b = 0; b < 3; b++) this.px[k + b] = clamp(color[b] + n);
      }
    }
  }
  /** A house: shadow to the south-east, then the roof with a ridge line. */
  building(x: number, y: number, w: number, h: number, roof: Rgb, noise: () => number): void {
    this.rect(x + 3, y + 3, w, h, [48, 50, 46], noise, 3);
    this.rect(x, y, w, h, roof, noise, 4);
    const ridge: Rgb = [roof[0] * 0.8, roof[1] * 0.8, roof[2] * 0.8];
    if (w >= h) this.rect(x, y + Math.floor(h / 2), w, 1, ridge, noise, 2);
    else this.rect(x + Math.floor(w / 2), y, 1, h, ridge, noise, 2);
  }
}

const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

const ROOFS: Rgb[] = [
  [170, 80, 60],
  [150, 150, 155],
  [70, 100, 150],
  [215, 210, 200],
  [120, 70, 50],
];

/** Builds both dates. The same seed always gives the same pixels. */
export function generateDemoScene(seed = 20240501): DemoScene {
  const size = DEMO_SIZE;
  const rand = seededRandom(seed);
  const noise = seededRandom(seed + 1);
  const base = new Canvas(size);
  // Farmland: a grid of parcels in greens and browns.
  const parcel = 128;
  const crops: Rgb[] = [];
  for (let py = 0; py < size; py += parcel) {
    for (let px = 0; px < size; px += parcel) {
      const green = rand() < 0.65;
      const c: Rgb = green
        ? [80 + rand() * 30, 120 + rand() * 30, 60 + rand() * 20]
        : [150 + rand() * 25, 130 + rand() * 20, 95 + rand() * 20];
      crops.push(c);
      base.rect(px, py, parcel, parcel, c, noise, 10);
    }
  }
  // Roads along some parcel borders.
  const road: Rgb = [125, 122, 118];
  base.rect(0, 380, size, 10, road, noise, 4);
  base.rect(500, 0, 10, size, road, noise, 4);
  // A village: houses along the roads, trees between.
  const houses: [number, number, number, number, Rgb][] = [];
  for (let i = 0; i < 26; i++) {
    const w = 18 + Math.floor(rand() * 18);
    const h = 14 + Math.floor(rand() * 14);
    const alongRoad = i % 2 === 0;
    const x = alongRoad ? 20 + Math.floor(rand() * 460) : 520 + Math.floor(rand() * 460);
    const y = alongRoad ? (rand() < 0.5 ? 350 - h : 400) : 20 + Math.floor(rand() * 330);
    if (
      houses.some(
        ([hx, hy, hw, hh]) =>
          x < hx + hw + 8 && hx < x + w + 8 && y < hy + hh + 8 && hy < y + h + 8,
      )
    )
      continue;
    houses.push([x, y, w, h, ROOFS[Math.floor(rand() * ROOFS.length)]]);
  }
  for (const [x, y, w, h, roof] of houses) base.building(x, y, w, h, roof, noise);
  for (let i = 0; i < 60; i++) {
    base.disc(rand() * size, 430 + rand() * (size - 440), 4 + rand() * 6, [40, 70, 35], noise);
  }
  const before = base.px.slice();

  // After: a seasonal shift (greener → yellower, a little brighter), then the real changes.
  const after = new Canvas(size);
  for (let i = 0; i < before.length; i += 3) {
    after.px[i] = clamp(before[i] * 1.08 + 6);
    after.px[i + 1] = clamp(before[i + 1] * 1.02 + 2);
    after.px[i + 2] = clamp(before[i + 2] * 0.95);
  }
  const changes: TrueChange[] = [];
  const newBuildings: [number, number, number, number][] = [
    [600, 560, 40, 28],
    [680, 620, 32, 36],
    [760, 700, 48, 30],
    [150, 600, 36, 26],
    [230, 660, 30, 30],
    [880, 880, 44, 34],
  ];
  newBuildings.forEach(([x, y, w, h], i) => {
    after.building(x, y, w, h, ROOFS[i % ROOFS.length], noise);
    changes.push({ kind: 'new_building', rect: [x, y, w + 3, h + 3] });
  });
  for (const [x, y, w, h] of houses.slice(0, 2)) {
    after.rect(x - 2, y - 2, w + 7, h + 7, [165, 140, 110], noise, 12);
    changes.push({ kind: 'demolition', rect: [x - 2, y - 2, w + 7, h + 7] });
  }
  after.rect(280, 820, 110, 70, [175, 145, 105], noise, 14);
  changes.push({ kind: 'earthwork', rect: [280, 820, 110, 70] });
  after.rect(510, 760, 300, 9, road, noise, 4);
  changes.push({ kind: 'new_road', rect: [510, 760, 300, 9] });
  return { before, after: after.px, changes };
}
