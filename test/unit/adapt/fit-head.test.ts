/**
 * Fitting the adapter head on synthetic samples: a feature that separates the classes better than
 * the base logit is learnt (and the adapted head chosen); features that carry nothing never make
 * the result worse than the base model on held-back samples; the chosen threshold is folded in.
 */
import { describe, expect, it } from 'vitest';
import {
  bestThreshold,
  fitHead,
  heldBackThresholds,
  logits,
} from '../../../electron/engine/adapt/fit-head.js';
import type { SampleSet } from '../../../electron/engine/adapt/samples.js';
import { seededRandom } from '../../../electron/engine/random.js';

function gauss(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
}

/** n samples, 4 channels: 0 = a weak base logit, 1 = informative (or noise), 2–3 noise. */
function samples(n: number, informative: boolean, seed: number): SampleSet {
  const rand = seededRandom(seed);
  const c = 4;
  const x = new Float32Array(n * c);
  const y = new Uint8Array(n);
  const w = new Float32Array(n).fill(1);
  const fold = new Uint8Array(n);
  const block = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const label = rand() < 0.2 ? 1 : 0;
    y[i] = label;
    block[i] = i % 60;
    fold[i] = block[i] % 5;
    x[i * c] = (label ? 0.5 : -0.5) + gauss(rand) * 1.5;
    x[i * c + 1] = informative ? (label ? 2 : -2) + gauss(rand) : gauss(rand);
    x[i * c + 2] = gauss(rand) * 3 + 10;
    x[i * c + 3] = gauss(rand);
  }
  return { channels: c, n, x, y, w, fold, block };
}

describe('fitHead', () => {
  it('learns an informative feature and beats the base model on held-back samples', () => {
    const set = samples(6000, true, 1);
    const fit = fitHead(set, 0, { hidden: 4, epochs: 8, seed: 2 });
    expect(fit.chosen).toBe('adapted');
    expect(fit.heldBack.adapted.f1).toBeGreaterThan(fit.heldBack.base.f1 + 0.3);
    // On fresh samples from the same distribution, too, at the head's own 0.5.
    const fresh = samples(3000, true, 7);
    const z = logits(fit.head, fresh);
    const at05 = bestThreshold(z, fresh);
    expect(at05.scores.f1).toBeGreaterThan(0.9);
    let hits = 0;
    for (let i = 0; i < fresh.n; i++) if (z[i] >= 0 === (fresh.y[i] === 1)) hits++;
    expect(hits / fresh.n).toBeGreaterThan(0.95);
  });

  it('with nothing to learn keeps the base model or only moves its threshold', () => {
    const set = samples(4000, false, 3);
    const fit = fitHead(set, 0, { hidden: 4, epochs: 6, seed: 2 });
    const chosen = fit.heldBack[fit.chosen].f1;
    expect(chosen).toBeGreaterThanOrEqual(fit.heldBack.base.f1);
    if (fit.chosen !== 'adapted') {
      // The head is the identity, shifted by the chosen threshold's logit.
      expect(fit.head.linW[0]).toBe(1);
      expect(Array.from(fit.head.w2).every((v) => v === 0)).toBe(true);
    }
  });

  it('keeps the base model when the held-back change lies in too few blocks to be sure', () => {
    const set = samples(4000, true, 8);
    for (let i = 0; i < set.n; i++) set.block[i] = i % 5; // one small scene: 5 blocks
    const fit = fitHead(set, 0, { hidden: 4, epochs: 4, seed: 2 });
    expect(fit.heldBack.adapted.f1).toBeGreaterThan(fit.heldBack.base.f1);
    expect(fit.chosen).toBe('base');
    expect(fit.wins.adapted).toBe(0);
  });

  it('scores thresholds out of fold: a shift fitted to the prevalence of one scene does not ship', () => {
    // Two scenes (folds) whose base logits are offset in opposite directions: each scene's own
    // best threshold is far from the other's, so a threshold picked on one harms the other.
    const rand = seededRandom(21);
    const n = 6000;
    const x = new Float32Array(n);
    const y = new Uint8Array(n);
    const fold = new Uint8Array(n);
    const block = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      block[i] = i % 80;
      fold[i] = block[i] % 2;
      y[i] = rand() < (fold[i] ? 0.05 : 0.4) ? 1 : 0;
      x[i] = (y[i] ? 1.5 : -1.5) + gauss(rand) + (fold[i] ? -2 : 2);
    }
    const set: SampleSet = { channels: 1, n, x, y, w: new Float32Array(n).fill(1), fold, block };
    const inSample = bestThreshold(x, set).scores.f1;
    // Each scene scored at the other's best threshold: clearly worse than the in-sample optimum.
    const heldAt05 = heldBackThresholds(x, set, 2);
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < n; i++) {
      const hit = heldAt05[i] >= 0;
      if (y[i] && hit) tp++;
      else if (y[i]) fn++;
      else if (hit) fp++;
    }
    expect((2 * tp) / (2 * tp + fp + fn)).toBeLessThan(inSample - 0.02);
    const fit = fitHead(set, 0, { hidden: 0, epochs: 3, seed: 2 });
    expect(fit.chosen).not.toBe('calibrated');
    expect(fit.heldBack.calibrated.f1).toBeLessThan(inSample);
  });

  it('is deterministic for a seed', () => {
    const set = samples(2000, true, 5);
    const a = fitHead(set, 0, { hidden: 3, epochs: 3, seed: 4 });
    const b = fitHead(set, 0, { hidden: 3, epochs: 3, seed: 4 });
    expect(Array.from(a.head.linW)).toEqual(Array.from(b.head.linW));
    expect(a.threshold).toBe(b.threshold);
  });
});
