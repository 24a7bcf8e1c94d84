/**
 * Where a detection's time goes: seconds per phase of the pipeline around the model (reading and
 * decoding, normalising, the model itself, blending, writing, screening, vectorising). A phase's
 * figure is the time its steps took, so when steps overlap (tile preparation for the next tile
 * while the model runs the current one) the figures add up to more than the wall time; the bench
 * sets them beside the model's own time on the same tiles.
 */

export type Phase =
  'open' | 'screen' | 'read' | 'normalise' | 'model' | 'wait' | 'blend' | 'write' | 'vectorise';

export type PhaseSeconds = Partial<Record<Phase, number>>;

export class PhaseClock {
  private readonly ms = new Map<Phase, number>();

  /** Adds `ms` milliseconds to `phase`. */
  add(phase: Phase, ms: number): void {
    this.ms.set(phase, (this.ms.get(phase) ?? 0) + ms);
  }

  /** Adds the time since `start` (a `performance.now()` reading) to `phase`; returns now. */
  since(phase: Phase, start: number): number {
    const now = performance.now();
    this.add(phase, now - start);
    return now;
  }

  /** Runs `fn`, counting its time (until its promise settles) under `phase`. */
  async time<T>(phase: Phase, fn: () => Promise<T> | T): Promise<T> {
    const start = performance.now();
    try {
      return await fn();
    } finally {
      this.since(phase, start);
    }
  }

  /** Seconds per phase, rounded to milliseconds, phases never timed left out. */
  seconds(): PhaseSeconds {
    const out: PhaseSeconds = {};
    for (const [phase, ms] of this.ms) out[phase] = Math.round(ms) / 1000;
    return out;
  }
}
