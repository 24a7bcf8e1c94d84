/**
 * Boundary tracing of labelled components along pixel edges.
 *
 * Coordinates are pixel-corner coordinates: x = column, y = row, and pixel (c, r) covers
 * [c, c+1] x [r, r+1], so the polygons are exactly the union of their pixel squares (their area
 * in pixels equals the pixel count). Only corners are emitted: collinear vertices never appear.
 *
 * Orientation in PIXEL space: every ring is walked with its own component on the LEFT as seen on
 * screen (y pointing down). Exterior rings therefore have a NEGATIVE shoelace sum on raw
 * (x, y) and holes a positive one. A north-up geotransform flips y, which turns this into the
 * RFC 7946 convention (exterior counter-clockwise, holes clockwise); geo.ts `toMap` also fixes
 * the orientation for transforms that do not flip.
 *
 * Saddles: where two pixels of the SAME component touch only at a corner (the component is
 * connected some other way round), the walk turns so that the two background pixels stay apart,
 * i.e. it passes from one foreground pixel to the other. Each ring then bounds exactly one
 * background region, so no ring revisits a vertex; an exterior and a hole (or two holes) may touch
 * at that single corner, which OGC / GEOS accept. Pixels of DIFFERENT components touching at a
 * corner are simply traced separately, as separate polygons that touch at that point.
 */
import { allColumns, labelComponents } from './components.js';
import type { Labeling } from './components.js';
import type { Ring } from './geo.js';

/** A traced component in pixel coordinates: exterior ring first, then its holes. */
export interface PixelPolygon {
  label: number;
  rings: Ring[];
}

// Directions, clockwise on screen: 0 = east (+x), 1 = south (+y), 2 = west (-x), 3 = north (-y).
const DX = [1, 0, -1, 0];
const DY = [0, 1, 0, -1];
// Offsets (col, row) from a vertex to the pixel ahead-left and ahead-right, per direction.
const AL_DC = [0, 0, -1, -1];
const AL_DR = [-1, 0, 0, -1];
const AR_DC = [0, -1, -1, 0];
const AR_DR = [0, 0, -1, -1];

// Per-pixel flags recording which horizontal edges have been walked; every ring has at least
// one horizontal edge and rings are only started from horizontal edges, so that is enough.
const TOP_DONE = 1;
const BOTTOM_DONE = 2;

/**
 * Walks one ring of component `k` starting at vertex (x0, y0) having just moved in direction d0.
 * Returns the corner vertices, closed (first point repeated at the end).
 */
function walkRing(
  labels: Int32Array,
  flags: Uint8Array,
  w: number,
  h: number,
  k: number,
  x0: number,
  y0: number,
  d0: number,
): Ring {
  const inside = (c: number, r: number): boolean =>
    c >= 0 && r >= 0 && c < w && r < h && labels[r * w + c] === k;
  const ring: Ring = [];
  let x = x0;
  let y = y0;
  let d = d0;
  do {
    // Component on the left: turn right into it when the pixel ahead-right is ours (this also
    // resolves saddles, see file comment), go straight along it, or turn left round its corner.
    let nd: number;
    if (inside(x + AR_DC[d], y + AR_DR[d])) nd = (d + 1) & 3;
    else if (inside(x + AL_DC[d], y + AL_DR[d])) nd = d;
    else nd = (d + 3) & 3;
    if (nd !== d) ring.push([x, y]);
    if (nd === 0) flags[(y - 1) * w + x] |= BOTTOM_DONE;
    else if (nd === 2) flags[y * w + x - 1] |= TOP_DONE;
    x += DX[nd];
    y += DY[nd];
    d = nd;
  } while (x !== x0 || y !== y0 || d !== d0);
  ring.push([ring[0][0], ring[0][1]]);
  return ring;
}

/**
 * Traces every (selected) component of a labelling into a polygon with holes.
 *
 * The first ring met for a component in raster order is the top edge of its top-left pixel,
 * which always lies on the exterior; later rings of the same component are holes. Islands
 * inside holes are other components and become their own polygons.
 *
 * @param labeling - 4-connected labelling from {@link labelComponents}
 * @param include - optional filter on labels; skipped components are treated as background
 * @returns polygons in label order (raster order of each component's top-left pixel)
 */
export function traceComponents(
  labeling: Labeling,
  include?: (label: number) => boolean,
): PixelPolygon[] {
  const { labels, width: w, height: h, count } = labeling;
  const keep = new Uint8Array(count + 1);
  for (let k = 1; k <= count; k++) keep[k] = !include || include(k) ? 1 : 0;
  const flags = new Uint8Array(w * h);
  const byLabel: (PixelPolygon | undefined)[] = new Array<PixelPolygon | undefined>(count + 1);
  const add = (k: number, ring: Ring): void => {
    const poly = byLabel[k];
    if (poly) poly.rings.push(ring);
    else byLabel[k] = { label: k, rings: [ring] };
  };

  // Scan every horizontal edge line y = 0..h; an edge is a boundary where the labels above and
  // below differ (two different components can never be edge neighbours, so one side is 0).
  // Only the labelling's column runs can hold edges.
  const runs = labeling.columns ?? allColumns(w);
  for (let y = 0; y <= h; y++) {
    for (let r = 0; r < runs.length; r += 2) {
      for (let x = runs[r]; x < runs[r + 1]; x++) {
        const above = y > 0 ? labels[(y - 1) * w + x] : 0;
        const below = y < h ? labels[y * w + x] : 0;
        if (above === below) continue;
        if (below !== 0 && keep[below] && !(flags[y * w + x] & TOP_DONE)) {
          // Component below: walk west along its top edge; start as if just arrived at (x, y).
          flags[y * w + x] |= TOP_DONE;
          add(below, walkRing(labels, flags, w, h, below, x, y, 2));
        } else if (above !== 0 && keep[above] && !(flags[(y - 1) * w + x] & BOTTOM_DONE)) {
          flags[(y - 1) * w + x] |= BOTTOM_DONE;
          add(above, walkRing(labels, flags, w, h, above, x + 1, y, 0));
        }
      }
    }
  }
  const out: PixelPolygon[] = [];
  for (let k = 1; k <= count; k++) {
    const poly = byLabel[k];
    if (poly) out.push(poly);
  }
  return out;
}

/**
 * Labels a binary mask with 4-connectivity and traces every component.
 *
 * @returns polygons in pixel coordinates, in raster order of their top-left pixels
 */
export function traceMask(mask: Uint8Array, width: number, height: number): PixelPolygon[] {
  return traceComponents(labelComponents(mask, width, height, { connectivity: 4 }));
}
