/**
 * The fixed protocol of `npm run eval:adapt` (written before any result was looked at through it):
 *
 * Sites and splits. Each site's scenes are put in a fixed order; each split is a pool of 4
 * adaptation scenes and a disjoint set of test scenes. Adapting on k = 1, 2, 4 scenes uses the
 * first k of the pool; the test scenes are the same for every k of a split, and both the base and
 * the adapted model are scored on exactly them.
 *  - AirChange Szada (1.5 m, Hungary; new built-up areas, groundwork, tree removal), 7 scenes:
 *    split 1: pool train_1..train_4, test train_5, train_6, test_1;
 *    split 2: pool test_1, train_6, train_5, train_4, test train_1, train_2, train_3.
 *  - LEVIR-CD samples (0.5 m, Texas; new buildings), 11 crops of 256² sorted by name:
 *    split 1: pool the first 4, test the other 7; split 2: pool the last 4, test the first 7.
 *  - OMBRIA (Sentinel-2 10 m; floods — a different kind of change), 624 pairs shuffled by a seeded
 *    generator (seed 14): test = the first 20; pools = the next pairs with 1–60 % changed pixels,
 *    the first 4 of them for split 1 and the next 4 for split 2.
 * Scoring: pixel P/R/F1 with TP/FP/FN summed over a split's test scenes; objects ≥ 100 m² matched
 * at IoU ≥ 0.5 (metrics.ts); threshold = each model's card threshold (the adapted model's is 0.5
 * with its chosen threshold folded in). A site's figure for k is the mean over its splits.
 * Bar (issue 14): at k = 2, pixel F1 rises by ≥ 0.10 on at least one site and falls by no more
 * than 0.01 on any site. Caveat: the base model lw-siamese-v1 trained on AirChange train_1..6 and
 * four LEVIR crops (its card), so on those scenes it is not scored on unseen imagery.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '../../electron/engine/random.js';

export interface Site {
  name: string;
  metresPerPixel: number;
  /** Paths of [before, after, label] PNGs of one scene. */
  scene: (name: string) => [string, string, string];
  splits: { pool: string[]; test: string[] }[];
}

function shuffled<T>(items: T[], seed: number): T[] {
  const rand = seededRandom(seed);
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** The sites of the protocol; `changedShare` reads a label's changed share (OMBRIA pools). */
export function adaptSites(root: string, changedShare: (labelPath: string) => number): Site[] {
  const ac = join(root, 'airchange-szada');
  const acScene = (s: string): [string, string, string] =>
    ['A', 'B', 'label'].map((d) => join(ac, d, `${s}.png`)) as [string, string, string];
  const levirDir = join(root, 'levir-samples');
  const levir = readdirSync(join(levirDir, 'label'))
    .filter((f) => f.endsWith('.png'))
    .map((f) => f.slice(0, -4))
    .sort();
  const ombriaDir = join(root, 'ombria-s2-flood');
  const ombria = shuffled(
    readdirSync(join(ombriaDir, 'BEFORE'))
      .filter((f) => f.endsWith('.png'))
      .map((f) => f.replace(/^S2_before_/, '').replace(/\.png$/, ''))
      .sort(),
    14,
  );
  const ombriaScene = (id: string): [string, string, string] => [
    join(ombriaDir, 'BEFORE', `S2_before_${id}.png`),
    join(ombriaDir, 'AFTER', `S2_after_${id}.png`),
    join(ombriaDir, 'MASK', `S2_mask_${id}.png`),
  ];
  const ombriaTest = ombria.slice(0, 20);
  const ombriaPool: string[] = [];
  for (const id of ombria.slice(20)) {
    if (ombriaPool.length === 8) break;
    const share = changedShare(ombriaScene(id)[2]);
    if (share >= 0.01 && share <= 0.6) ombriaPool.push(id);
  }
  return [
    {
      name: 'AirChange Szada (1.5 m)',
      metresPerPixel: 1.5,
      scene: acScene,
      splits: [
        {
          pool: ['train_1', 'train_2', 'train_3', 'train_4'],
          test: ['train_5', 'train_6', 'test_1'],
        },
        {
          pool: ['test_1', 'train_6', 'train_5', 'train_4'],
          test: ['train_1', 'train_2', 'train_3'],
        },
      ],
    },
    {
      name: 'LEVIR-CD (0.5 m)',
      metresPerPixel: 0.5,
      scene: (s) =>
        ['A', 'B', 'label'].map((d) => join(levirDir, d, `${s}.png`)) as [string, string, string],
      splits: [
        { pool: levir.slice(0, 4), test: levir.slice(4) },
        { pool: levir.slice(-4), test: levir.slice(0, -4) },
      ],
    },
    {
      name: 'OMBRIA floods (10 m)',
      metresPerPixel: 10,
      scene: ombriaScene,
      splits: [
        { pool: ombriaPool.slice(0, 4), test: ombriaTest },
        { pool: ombriaPool.slice(4, 8), test: ombriaTest },
      ],
    },
  ];
}
