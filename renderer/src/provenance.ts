/**
 * Where a patch's outline comes from, as the analyst is told: the model's (`model`), the model's
 * reshaped by a person (`edited`: vertices moved, split or merged) or drawn by a person (`drawn`).
 * A drawn patch has no model probability, and an edited one keeps the model's figures for the
 * model's outline: the UI says so instead of showing a made-up 100 %.
 */
import type { PatchView } from '../../electron/common/contract.js';
import { formatPercent } from './format.js';

export type PatchSource = 'model' | 'edited' | 'drawn';

type Provenance = Pick<PatchView, 'origin' | 'edited'>;

export function patchSource(p: Provenance): PatchSource {
  if (p.origin === 'manual') return 'drawn';
  return p.edited || p.origin === 'split' || p.origin === 'merge' ? 'edited' : 'model';
}

/** One line on the source: "model", "edited (split)", "drawn by hand". */
export function sourceLabel(p: Provenance): string {
  const source = patchSource(p);
  if (source === 'drawn') return 'drawn by hand';
  if (source === 'model') return 'model';
  if (p.origin === 'split' || p.origin === 'merge') return `edited (${p.origin})`;
  return 'edited (vertices moved)';
}

/**
 * The model's mean probability, or null when the model never saw the patch (drawn by hand, or
 * split from / merged of drawn patches only: the backend gives none for those).
 */
export function modelConfidence(p: Provenance & Pick<PatchView, 'meanProb'>): number | null {
  return patchSource(p) === 'drawn' ? null : p.meanProb;
}

/** Short confidence for the queue column: "83%", or "—" for a drawn patch. */
export function confidenceCell(p: Provenance & Pick<PatchView, 'meanProb'>): string {
  const conf = modelConfidence(p);
  return conf === null ? '—' : formatPercent(conf);
}

/** The confidence line of the patch details: the model's figures, said to be the model's. */
export function confidenceText(p: Provenance & Pick<PatchView, 'meanProb' | 'maxProb'>): string {
  const conf = modelConfidence(p);
  if (conf === null) return 'none (drawn by hand, not detected)';
  const figures = `mean ${formatPercent(conf)} · max ${formatPercent(p.maxProb ?? conf)}`;
  return patchSource(p) === 'edited' ? `${figures} (model, on its own outline)` : figures;
}
