/**
 * Where a pixel of the before grid lies on the after grid: geotransform of the before image, the
 * CRS change (proj4) when the dates differ, then the inverse geotransform of the after image. Exact
 * transforms are computed on a lattice every 16 pixels and interpolated in between, as GDAL's
 * approximate transformer does: projections are smooth, so the error is far below a thousandth of
 * a pixel, and a 512² window costs about a thousand proj4 calls instead of a quarter million.
 */
import proj4 from 'proj4';
import { proj4Definition, type Proj4Definition } from '../crs/epsg.js';
import { LandWatchError } from '../errors.js';
import type { GeoTransform } from './raster-source.js';

type Transform = (x: number, y: number) => [number, number];

/** Lattice step, in pixels, of exactly transformed points. */
const STEP = 16;

/** `def` as proj4js can load it: without a datum grid file, see {@link proj4Definition}. */
function usable(def: string): Proj4Definition {
  return proj4Definition({ proj4: def }) ?? { def, droppedGrid: null };
}

/** A before-map → after-map transform between two proj4 definitions, with notes. */
export function crsTransform(
  beforeDef: string,
  afterDef: string,
): { transform: Transform; notes: string[] } {
  const a = usable(beforeDef);
  const b = usable(afterDef);
  const notes = [a, b]
    .filter((d) => d.droppedGrid)
    .map(
      (d) =>
        `datum grid ${d.droppedGrid} is not available: the datum shift between the dates is approximate (up to some tens of metres)`,
    );
  let converter: proj4.Converter;
  try {
    converter = proj4(a.def, b.def);
  } catch (error) {
    throw new LandWatchError(
      'E_CRS_MISMATCH',
      `cannot reproject between "${beforeDef}" and "${afterDef}": ${(error as Error).message}`,
    );
  }
  return {
    transform: (x, y) => converter.forward([x, y]) as [number, number],
    notes: notes.length > 1 && notes[0] === notes[1] ? [] : notes,
  };
}

/** Maps before-grid pixel coordinates (corner-based: pixel (c, r) spans c … c + 1) to the after grid. */
export class GridWarp {
  private readonly inverse: GeoTransform;

  constructor(
    private readonly before: GeoTransform,
    after: GeoTransform,
    /** Before-CRS → after-CRS map coordinates; null when both share a CRS. */
    private readonly transform: Transform | null,
  ) {
    this.inverse = invertGeoTransform(after);
  }

  /** After-grid coordinates of before-grid point (col, row); NaN where the transform fails. */
  map(col: number, row: number): [number, number] {
    const g = this.before;
    let x = g[0] + col * g[1] + row * g[2];
    let y = g[3] + col * g[4] + row * g[5];
    if (this.transform) [x, y] = this.transform(x, y);
    const i = this.inverse;
    return [i[0] + x * i[1] + y * i[2], i[3] + x * i[4] + y * i[5]];
  }

  /**
   * After-grid coordinates of the centres of every pixel of a before-grid window, row-major: `u`
   * (columns) and `v` (rows), each width × height.
   */
  window(
    x0: number,
    y0: number,
    width: number,
    height: number,
  ): { u: Float64Array; v: Float64Array } {
    const nx = Math.ceil(width / STEP) + 1;
    const ny = Math.ceil(height / STEP) + 1;
    const gu = new Float64Array(nx * ny);
    const gv = new Float64Array(nx * ny);
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const [u, v] = this.map(
          x0 + 0.5 + Math.min(i * STEP, width - 1),
          y0 + 0.5 + Math.min(j * STEP, height - 1),
        );
        gu[j * nx + i] = u;
        gv[j * nx + i] = v;
      }
    }
    const u = new Float64Array(width * height);
    const v = new Float64Array(width * height);
    for (let r = 0; r < height; r++) {
      const j = Math.min(Math.floor(r / STEP), ny - 2);
      const r0 = j * STEP;
      const r1 = Math.min((j + 1) * STEP, height - 1);
      const fy = r1 > r0 ? (r - r0) / (r1 - r0) : 0;
      for (let c = 0; c < width; c++) {
        const i = Math.min(Math.floor(c / STEP), Math.max(0, nx - 2));
        const c0 = i * STEP;
        const c1 = Math.min((i + 1) * STEP, width - 1);
        const fx = c1 > c0 ? (c - c0) / (c1 - c0) : 0;
        const k = j * nx + i;
        const k1 = nx > 1 ? k + 1 : k;
        const kn = ny > 1 ? k + nx : k;
        const kn1 = ny > 1 ? k1 + nx : k1;
        u[r * width + c] = lerp2(gu[k], gu[k1], gu[kn], gu[kn1], fx, fy);
        v[r * width + c] = lerp2(gv[k], gv[k1], gv[kn], gv[kn1], fx, fy);
      }
    }
    return { u, v };
  }
}

function lerp2(a: number, b: number, c: number, d: number, fx: number, fy: number): number {
  return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy;
}

/** The inverse of a GDAL geotransform (map → pixel). */
export function invertGeoTransform(g: GeoTransform): GeoTransform {
  const det = g[1] * g[5] - g[2] * g[4];
  if (!Number.isFinite(det) || det === 0) throw new Error('degenerate geotransform');
  const a = g[5] / det;
  const b = -g[2] / det;
  const d = -g[4] / det;
  const e = g[1] / det;
  return [-(a * g[0] + b * g[3]), a, b, -(d * g[0] + e * g[3]), d, e];
}
