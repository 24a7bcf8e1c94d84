/**
 * Channels of the patch codes (METHODS M5): find patches similar to one, the earlier decision at a
 * patch's place (carry-over between monitoring rounds), inheriting it, and coding patches that
 * have no current code yet. Spread into `contract` (contract.ts); handled by
 * electron/engine/api/code-handlers.ts. Like contract.ts, this runs everywhere: no Node built-ins.
 */
import { z } from 'zod';
import type { ReviewState } from './enums.js';
import type { EditResult, PatchView } from './views.js';

const id = z.string().min(1).max(128);
const patchId = z.string().regex(/^[1-9][0-9]{0,14}$/, 'must be a patch id (a positive integer)');
const states = z
  .array(z.enum(['unreviewed', 'confirmed', 'rejected', 'field_check']))
  .min(1)
  .max(4);

/** One ranked result of `patches.similar`. */
export interface SimilarPatch {
  patch: PatchView;
  /** L1 distance between the two integer codes (0 = the same code). */
  distance: number;
}

export interface SimilarResult {
  /** The code model that made the codes compared. */
  modelId: string;
  /** The query patch's code (one value a byte, 0..15), for display. */
  code: number[];
  /** Distances up to this are "close" (the model card's measured threshold). */
  closeDistance: number;
  items: SimilarPatch[];
  /** Patches that had no current code and were coded for this answer. */
  coded: number;
}

/** The decision taken on an earlier patch at the same place, and how alike the two changes are. */
export interface CarryOver {
  earlier: {
    id: string;
    number: number;
    runId: string;
    state: ReviewState;
    changeClass: string | null;
    legality: string | null;
    fieldResult: string | null;
    note: string | null;
    comment: string | null;
  };
  distance: number;
  /** The codes are close enough that the earlier decision may be inherited (`patches.inherit`). */
  close: boolean;
  closeDistance: number;
}

export const codesContract = {
  /** Patches of the project ranked by code distance to one patch (itself left out). */
  'patches.similar': {
    request: z
      .object({
        projectId: id,
        patchId,
        limit: z.number().int().min(1).max(500).default(10),
        states: states.optional(),
      })
      .strict(),
    response: z.custom<SimilarResult>(),
  },
  /** The nearest-coded decided patch of another run overlapping this one, or null. */
  'patches.carryOver': {
    request: z.object({ projectId: id, patchId }).strict(),
    response: z.custom<CarryOver | null>(),
  },
  /** Copies the earlier decision (state, class, legality, field result, note, comment): one undo step. */
  'patches.inherit': {
    request: z.object({ projectId: id, patchId }).strict(),
    response: z.custom<EditResult>(),
  },
  /** Codes every patch that has no current code (after edits, or projects made before codes). */
  'codes.update': {
    request: z.object({ projectId: id }).strict(),
    response: z.custom<{ coded: number; seconds: number }>(),
  },
} as const;

export type CodeChannel = keyof typeof codesContract;
