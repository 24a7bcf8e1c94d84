/**
 * How much a patch's M5 code looks like the codes of confirmed rather than rejected patches:
 * (d_rejected − d_confirmed) / (d_rejected + d_confirmed), where d is the mean L1 distance to the
 * {@link AFFINITY_NEIGHBOURS} nearest codes of that decision. +1: right on confirmed ones, −1: on
 * rejected ones, 0: halfway. A decided patch is never its own neighbour (leave-one-out), so its
 * training value is what an unreviewed patch at the same place would get.
 */
import { l1 } from '../codes/code-packing.js';
import type { RankPatch } from './patch-features.js';

/** Neighbours of each decision averaged over. */
export const AFFINITY_NEIGHBOURS = 3;

/** The mean of the `k` smallest values (all of them when fewer). */
function meanOfSmallest(values: number[], k: number): number {
  values.sort((a, b) => a - b);
  const take = Math.min(k, values.length);
  let sum = 0;
  for (let i = 0; i < take; i++) sum += values[i];
  return sum / take;
}

/** The affinity of every patch (NaN without a code, or without coded decisions of both kinds). */
export function codeAffinity(patches: readonly RankPatch[]): Float64Array {
  const out = new Float64Array(patches.length).fill(Number.NaN);
  const confirmed: number[] = [];
  const rejected: number[] = [];
  patches.forEach((p, i) => {
    if (!p.code) return;
    if (p.state === 'confirmed') confirmed.push(i);
    else if (p.state === 'rejected') rejected.push(i);
  });
  if (confirmed.length === 0 || rejected.length === 0) return out;
  const distances = (i: number, of: number[]) => {
    const code = patches[i].code!;
    const d: number[] = [];
    for (const j of of) if (j !== i) d.push(l1(code, patches[j].code!));
    return d;
  };
  patches.forEach((p, i) => {
    if (!p.code) return;
    const c = distances(i, confirmed);
    const r = distances(i, rejected);
    if (c.length === 0 || r.length === 0) return;
    const dc = meanOfSmallest(c, AFFINITY_NEIGHBOURS);
    const dr = meanOfSmallest(r, AFFINITY_NEIGHBOURS);
    out[i] = dc + dr > 0 ? (dr - dc) / (dr + dc) : 0;
  });
  return out;
}
