/**
 * A small seeded pseudo-random generator (mulberry32) shared by everything that must produce the
 * same "random" numbers on every run: the demo scene, benchmark scenes, evaluation synthesis and
 * randomised tests.
 */

/**
 * Returns a generator of uniform numbers in [0, 1) fully determined by `seed`.
 * @example const r = seededRandom(7); r(); // always the same first value for seed 7
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
