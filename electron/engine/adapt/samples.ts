/**
 * Labelled feature samples for fitting an adapter: per class, a uniform random sample (reservoir,
 * Algorithm R) of every labelled pixel streamed past it, so memory stays fixed however many pixels
 * a county's decisions cover. Each kept sample carries the number of pixels it stands for, so
 * figures measured on a sample (F1, threshold choice) estimate those of all the labelled pixels.
 */
import { seededRandom } from '../random.js';

/** A set of samples: `n` rows of `channels` features, their label (1 = change) and weight. */
export interface SampleSet {
  channels: number;
  n: number;
  x: Float32Array;
  y: Uint8Array;
  /** Pixels each sample stands for (class pixels seen / class samples kept). */
  w: Float32Array;
  /** Cross-validation fold of each sample (0..FOLDS-1, by spatial block). */
  fold: Uint8Array;
  /** The spatial block of each sample (for resampling whole blocks). */
  block: Uint32Array;
}

/** Pixels seen and samples kept per class. */
export interface ClassCounts {
  seen: [number, number];
  kept: [number, number];
}

class ClassReservoir {
  readonly x: Float32Array;
  readonly fold: Uint8Array;
  readonly block: Uint32Array;
  kept = 0;
  seen = 0;

  constructor(
    private readonly channels: number,
    private readonly capacity: number,
  ) {
    this.x = new Float32Array(channels * capacity);
    this.fold = new Uint8Array(capacity);
    this.block = new Uint32Array(capacity);
  }

  /** Offers one sample (row `i` of a planar features array of `plane` pixels). */
  offer(
    planes: Float32Array,
    plane: number,
    i: number,
    fold: number,
    block: number,
    rand: () => number,
  ): void {
    this.seen++;
    let slot: number;
    if (this.kept < this.capacity) slot = this.kept++;
    else {
      slot = Math.floor(rand() * this.seen);
      if (slot >= this.capacity) return;
    }
    this.fold[slot] = fold;
    this.block[slot] = block;
    const base = slot * this.channels;
    for (let k = 0; k < this.channels; k++) this.x[base + k] = planes[k * plane + i];
  }
}

/** Collects samples of both classes from planar feature tiles. */
export class SampleReservoir {
  private readonly classes: [ClassReservoir, ClassReservoir];
  private readonly rand: () => number;

  constructor(
    readonly channels: number,
    capacityPerClass: number,
    seed: number,
  ) {
    this.classes = [
      new ClassReservoir(channels, capacityPerClass),
      new ClassReservoir(channels, capacityPerClass),
    ];
    this.rand = seededRandom(seed);
  }

  /** Offers a pixel of class `label` (0 or 1), row `i` of `planes` (channels × plane). */
  offer(
    planes: Float32Array,
    plane: number,
    i: number,
    label: 0 | 1,
    fold: number,
    block: number,
  ): void {
    this.classes[label].offer(planes, plane, i, fold, block, this.rand);
  }

  counts(): ClassCounts {
    const [a, b] = this.classes;
    return { seen: [a.seen, b.seen], kept: [a.kept, b.kept] };
  }

  /** The samples kept, both classes, each with the number of pixels it stands for. */
  toSet(): SampleSet {
    const c = this.channels;
    const n = this.classes[0].kept + this.classes[1].kept;
    const x = new Float32Array(n * c);
    const y = new Uint8Array(n);
    const w = new Float32Array(n);
    const fold = new Uint8Array(n);
    const block = new Uint32Array(n);
    let at = 0;
    this.classes.forEach((cls, label) => {
      x.set(cls.x.subarray(0, cls.kept * c), at * c);
      fold.set(cls.fold.subarray(0, cls.kept), at);
      block.set(cls.block.subarray(0, cls.kept), at);
      const weight = cls.kept ? cls.seen / cls.kept : 0;
      for (let i = 0; i < cls.kept; i++) {
        y[at + i] = label;
        w[at + i] = weight;
      }
      at += cls.kept;
    });
    return { channels: c, n, x, y, w, fold, block };
  }
}
