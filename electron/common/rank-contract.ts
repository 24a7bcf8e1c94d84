/**
 * Channels of the learnt queue ranking (issue 14, "the queue learns"): every patch's probability
 * of being confirmed, learnt from the project's decisions so far, and why one patch ranks where it
 * does. Spread into `contract` (contract.ts); handled by electron/engine/api/rank-handlers.ts.
 * Like contract.ts, this runs everywhere: no Node built-ins.
 */
import { z } from 'zod';

const id = z.string().min(1).max(128);
const patchId = z.string().regex(/^[1-9][0-9]{0,14}$/, 'must be a patch id (a positive integer)');

/** The project's learnt ranking, or how far it is from having one. */
export interface LearntRankingView {
  ready: boolean;
  /** Decisions it learnt from (or has so far): confirmed and rejected model patches. */
  decisions: { confirmed: number; rejected: number };
  /** Decisions still needed before a ranking is learnt (0 when ready). */
  needed: number;
  /** Why it is not ready, in words; null when ready. */
  message: string | null;
  /** P(the analyst confirms it) by patch id, for every live patch; empty when not ready. */
  probabilities: Record<string, number>;
}

/** One feature that moved a patch's learnt probability. */
export interface RankReasonView {
  /** Short words for the patch's value ("large area", "looks like patches you confirmed"). */
  phrase: string;
  /** Its term in the log-odds (coefficient × standardised value): + raises, − lowers. */
  contribution: number;
}

/** Why a patch ranks where it does. */
export interface RankExplanationView {
  ready: boolean;
  /** Null when the ranking is not ready. */
  probability: number | null;
  /** `high` when P ≥ 0.5. */
  verdict: 'high' | 'low' | null;
  /** The features that weighed most for the verdict, strongest first (up to `top`). */
  reasons: RankReasonView[];
  /** Why there is no explanation yet (not ready), else null. */
  message: string | null;
}

export const rankContract = {
  /** Every live patch's learnt probability of being confirmed (refitted as decisions come in). */
  'rank.learnt': {
    request: z.object({ projectId: id }).strict(),
    response: z.custom<LearntRankingView>(),
  },
  /** The features that placed one patch high or low in the learnt ranking. */
  'rank.explain': {
    request: z
      .object({ projectId: id, patchId, top: z.number().int().min(1).max(10).default(3) })
      .strict(),
    response: z.custom<RankExplanationView>(),
  },
} as const;

export type RankChannel = keyof typeof rankContract;
