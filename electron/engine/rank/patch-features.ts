/**
 * The features the learnt queue ranking weighs, one column each, with the short phrase that
 * explains a patch's value of it ("large area", "looks like patches you confirmed"). Columns are
 * built for one set of patches: one per change kind the model reported among them and one per
 * reference layer, besides the fixed ones.
 *
 * Left out on purpose: the change class and the "outline edited" flag (analysts set both while
 * confirming, so they would predict the decision from its own traces and tell nothing about an
 * unreviewed patch), and the patch number (the order of detection).
 */
import type { PolygonGeometry, ReviewState, PatchOrigin } from '../../common/contract.js';
import { codeAffinity } from './code-affinity.js';

/** What the ranking knows of one live patch. */
export interface RankPatch {
  id: string;
  state: ReviewState;
  origin: PatchOrigin;
  /** The model's probabilities; null for a patch it never scored (drawn by hand). */
  meanProb: number | null;
  maxProb: number | null;
  areaM2: number;
  perimeterM: number;
  geometry: PolygonGeometry;
  changeKind: string | null;
  /** The patch's M5 code (one value a byte), or null when it has none. */
  code: Uint8Array | null;
  /** Share of the patch inside each reference layer, in the order of `layers`. */
  referenceShares: readonly number[];
}

export interface FeatureColumn {
  key: string;
  /** Phrases for a value above and below the training mean. */
  high: string;
  low: string;
}

export interface FeatureTable {
  columns: FeatureColumn[];
  /** One row per patch, in the order given; NaN where a value is unknown. */
  rows: Float64Array[];
}

/** How elongated an outline is, from its second moments of area: 0 a disc or square, → 1 a line. */
export function elongation(geometry: PolygonGeometry): number {
  const polygons = (
    geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates
  ) as number[][][][];
  let a = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  // Moments relative to the first vertex keep the sums small in projected coordinates.
  const [ox, oy] = polygons[0]?.[0]?.[0] ?? [0, 0];
  for (const polygon of polygons) {
    for (const ring of polygon) {
      for (let i = 0; i + 1 < ring.length; i++) {
        const x0 = ring[i][0] - ox;
        const y0 = ring[i][1] - oy;
        const x1 = ring[i + 1][0] - ox;
        const y1 = ring[i + 1][1] - oy;
        const c = x0 * y1 - x1 * y0;
        a += c / 2;
        sx += ((x0 + x1) * c) / 6;
        sy += ((y0 + y1) * c) / 6;
        sxx += ((x0 * x0 + x0 * x1 + x1 * x1) * c) / 12;
        syy += ((y0 * y0 + y0 * y1 + y1 * y1) * c) / 12;
        sxy += ((x0 * y1 + 2 * x0 * y0 + 2 * x1 * y1 + x1 * y0) * c) / 24;
      }
    }
  }
  if (Math.abs(a) < 1e-12) return Number.NaN;
  const cx = sx / a;
  const cy = sy / a;
  const ixx = sxx / a - cx * cx;
  const iyy = syy / a - cy * cy;
  const ixy = sxy / a - cx * cy;
  const half = (ixx + iyy) / 2;
  const root = Math.sqrt(((ixx - iyy) / 2) ** 2 + ixy ** 2);
  const major = half + root;
  const minor = Math.max(0, half - root);
  return major > 0 ? 1 - Math.sqrt(minor / major) : Number.NaN;
}

/** Words for a change kind the model reports (`new_building` → "new building"). */
function kindWords(kind: string): string {
  return kind.replace(/_/g, ' ');
}

/**
 * The feature table of `patches`.
 *
 * @param layers - names of the reference layers, in the order of each patch's `referenceShares`
 */
export function featureTable(
  patches: readonly RankPatch[],
  layers: readonly string[],
): FeatureTable {
  const kinds = [...new Set(patches.map((p) => p.changeKind).filter((k) => k !== null))].sort();
  const columns: FeatureColumn[] = [
    { key: 'meanProb', high: 'high model confidence', low: 'low model confidence' },
    { key: 'maxProb', high: 'strong peak probability', low: 'weak peak probability' },
    { key: 'probSpread', high: 'uneven probability inside', low: 'even probability inside' },
    { key: 'logArea', high: 'large area', low: 'small area' },
    { key: 'compactness', high: 'compact shape', low: 'ragged outline' },
    { key: 'elongation', high: 'elongated shape', low: 'squat shape' },
    { key: 'splitMerge', high: 'made by a split or merge', low: 'outlined by the model' },
    {
      key: 'codeAffinity',
      high: 'looks like patches you confirmed',
      low: 'looks like patches you rejected',
    },
    { key: 'codeStrength', high: 'strong image-code response', low: 'weak image-code response' },
    ...kinds.map((k) => ({
      key: `kind:${k}`,
      high: `reported as ${kindWords(k)}`,
      low: `not reported as ${kindWords(k)}`,
    })),
    ...layers.map((name, i) => ({
      key: `reference:${i}`,
      high: `inside “${name}”`,
      low: `outside “${name}”`,
    })),
  ];
  const affinity = codeAffinity(patches);
  const rows = patches.map((p, i) => {
    const codeSum = p.code ? p.code.reduce((s, v) => s + v, 0) / p.code.length : Number.NaN;
    const compact =
      p.perimeterM > 0 ? Math.min(1, (4 * Math.PI * p.areaM2) / p.perimeterM ** 2) : Number.NaN;
    // No model probability (drawn by hand, or merged of drawn patches only): missing, like a
    // missing code, not a made-up value.
    const mean = p.meanProb ?? Number.NaN;
    const max = p.maxProb ?? Number.NaN;
    return Float64Array.from([
      mean,
      max,
      max - mean,
      Math.log10(Math.max(p.areaM2, 1e-3)),
      compact,
      elongation(p.geometry),
      p.origin === 'split' || p.origin === 'merge' ? 1 : 0,
      affinity[i],
      codeSum,
      ...kinds.map((k) => (p.changeKind === k ? 1 : 0)),
      ...layers.map((_, l) => p.referenceShares[l] ?? 0),
    ]);
  });
  return { columns, rows };
}
