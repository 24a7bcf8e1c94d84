/**
 * The rules every edit obeys whichever backend stores it: a new outline must be a valid polygon
 * inside the scene and is measured in the scene's units; rejecting a patch the model was sure
 * about needs a comment; coded attributes must come from the project's active code lists.
 * Pure functions, so SQLite's PatchEditor and the PostgreSQL store share them unchanged.
 */
import type { CodeLists, PatchAttributes, ReviewState } from '../../common/contract.js';
import { LandWatchError } from '../errors.js';
import { polygonAreaM2, polygonPerimeterM } from '../vector/geo.js';
import { validatePolygon } from '../vector/validity.js';
import type { PolygonRings } from './geometry/rings.js';
import { orientPolygon } from './geometry/rings.js';
import type { SceneFrame } from './patch-edits.js';
import type { Snapshot } from './patch-rows.js';
import { ATTRIBUTE_COLUMNS } from './patch-rows.js';

/** How an operation's summary names a review decision. */
export const STATE_VERB: Record<ReviewState, string> = {
  unreviewed: 'Reset',
  confirmed: 'Confirmed',
  rejected: 'Rejected',
  field_check: 'Sent to field check',
};

/** "patch #12" or "3 patches", for operation summaries. */
export const patchesNamed = (rows: { number: number }[]) =>
  rows.length === 1 ? `patch #${rows[0].number}` : `${rows.length} patches`;

/** A polygon ready to store: oriented rings, its GeoJSON text and its measurements. */
export interface Shaped {
  rings: PolygonRings;
  geometry: string;
  areaM2: number;
  perimeterM: number;
}

/**
 * Validates a polygon (OGC-valid; inside the scene unless it is made from stored patches) and
 * measures it in the scene's units; rings are stored exterior counter-clockwise (RFC 7946).
 *
 * @param what - how the message names the polygon ("The drawn patch")
 */
export function shapePolygon(
  input: number[][][],
  what: string,
  frame: SceneFrame,
  checkExtent = true,
): Shaped {
  const rings = input.map((ring) => ring.map((p) => [p[0], p[1]]));
  const report = validatePolygon(rings);
  if (!report.valid)
    throw new LandWatchError('E_BAD_REQUEST', `${what} is not a valid polygon: ${report.reason}.`);
  const { units, extent } = frame;
  if (checkExtent) {
    const [x0, y0, x1, y1] = extent;
    const tol = 1e-9 * Math.max(x1 - x0, y1 - y0);
    for (const [x, y] of rings[0]) {
      if (x < x0 - tol || x > x1 + tol || y < y0 - tol || y > y1 + tol)
        throw new LandWatchError(
          'E_BAD_REQUEST',
          `${what} leaves the scene: point (${x}, ${y}) is outside the area both images cover, [${extent.join(', ')}].`,
        );
    }
  }
  const oriented = orientPolygon(rings);
  return {
    rings: oriented,
    geometry: JSON.stringify({ type: 'Polygon', coordinates: oriented }),
    areaM2: polygonAreaM2(oriented, units),
    perimeterM: polygonPerimeterM(oriented, units),
  };
}

/**
 * Refuses rejecting, without a comment, patches whose mean probability is at least the project's
 * `rejectCommentMinConfidence` (number 0 stands for a patch being drawn).
 */
export function checkRejection(
  rows: { number: number; mean_prob: number; unscored?: number | boolean }[],
  state: ReviewState,
  comment: string | null,
  min: number,
): void {
  if (state !== 'rejected' || comment !== null) return;
  // The rule guards against overruling a confident model; drawn patches have no model figures.
  const strong = rows.filter((r) => !r.unscored && r.mean_prob >= min);
  if (strong.length === 0) return;
  const which = strong
    .slice(0, 5)
    .map((r) => `#${r.number} (${r.mean_prob.toFixed(2)})`)
    .join(', ');
  throw new LandWatchError(
    'E_BAD_REQUEST',
    `Rejecting ${which}${strong.length > 5 ? ` and ${strong.length - 5} more` : ''} needs a comment: the model's mean probability is at least ${min}, the project's threshold for rejecting without a reason.`,
  );
}

/** Which attribute is checked against which list. */
const CODED: [keyof PatchAttributes, keyof CodeLists, string][] = [
  ['changeClass', 'changeClass', 'change_class'],
  ['legality', 'legality', 'legality'],
  ['fieldResult', 'fieldResult', 'field_result'],
];

/**
 * Checks coded attributes against the active entries of their lists.
 *
 * @throws LandWatchError E_BAD_REQUEST naming the attribute, the bad code and the valid ones
 */
export function checkAttributeCodes(lists: CodeLists, attributes: Partial<PatchAttributes>): void {
  for (const [attr, key, list] of CODED) {
    const value = attributes[attr];
    if (value === undefined || value === null) continue;
    const entry = lists[key].find((e) => e.code === value);
    if (entry?.active) continue;
    const valid = lists[key]
      .filter((e) => e.active)
      .map((c) => `${c.code} ${c.label}`)
      .join(', ');
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `${attr} "${value}" is ${entry ? 'retired from' : 'not in'} the ${list} code list; valid codes: ${valid}.`,
    );
  }
}

/** Attribute values as the columns they are stored in; blank text is stored as null. */
export function attributeColumns(attributes: Partial<PatchAttributes>): Snapshot {
  const snap: Snapshot = {};
  for (const [k, v] of Object.entries(attributes) as [keyof PatchAttributes, string | null][]) {
    snap[ATTRIBUTE_COLUMNS[k]] = typeof v === 'string' && v.trim() === '' ? null : v;
  }
  return snap;
}
