/**
 * The chip pair the code model sees for a patch: a square around the patch's bounding box (the box
 * plus a margin on every side, at least a few source pixels wide), rendered from both dates at
 * the model's chip size with nearest-neighbour sampling, grey where an image has no data. The
 * extent rule is the training script's `chip()` (models/training/patchcode_data.py): a change in
 * either changes what a code means.
 */
import type { Extent } from '../report/chip-geometry.js';
import { SceneImage } from '../report/scene-image.js';
import type { CodeCard } from './code-model.js';

/** [minX, minY, maxX, maxY] in the scene CRS. */
export type BBox = [number, number, number, number];

/**
 * The square ground extent of a patch's chip.
 *
 * @param bbox - the patch's bounds in the scene CRS
 * @param pixelSize - ground size of one before-image pixel (for the minimum side)
 * @param chip - the card's chip rule
 */
export function chipExtent(bbox: BBox, pixelSize: number, chip: CodeCard['chip']): Extent {
  const [x0, y0, x1, y1] = bbox;
  const side = Math.max(
    Math.max(x1 - x0, y1 - y0) * (1 + 2 * chip.margin),
    chip.minSidePixels * pixelSize,
  );
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  return [cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2];
}

/**
 * Normalises RGB chips (row-major, 3 bytes a pixel) into one NCHW float tensor the way the card
 * says: (v / scale - mean[c]) / std[c].
 */
export function chipTensor(
  chips: Uint8Array[],
  size: number,
  norm: CodeCard['normalization'],
): Float32Array {
  const plane = size * size;
  const out = new Float32Array(chips.length * 3 * plane);
  chips.forEach((rgb, n) => {
    for (let c = 0; c < 3; c++) {
      const base = (n * 3 + c) * plane;
      const scale = 1 / (norm.scale * norm.std[c]);
      const shift = norm.mean[c] / norm.std[c];
      for (let i = 0; i < plane; i++) out[base + i] = rgb[i * 3 + c] * scale - shift;
    }
  });
  return out;
}

/** Reads chip pairs from a project's two dates; close it when done. */
export class ChipReader {
  private constructor(
    private readonly before: SceneImage,
    private readonly after: SceneImage,
    private readonly chip: CodeCard['chip'],
  ) {}

  static async open(
    beforePath: string,
    afterPath: string,
    chip: CodeCard['chip'],
    signal?: AbortSignal,
  ): Promise<ChipReader> {
    const before = await SceneImage.open(beforePath, signal);
    try {
      return new ChipReader(before, await SceneImage.open(afterPath, signal), chip);
    } catch (error) {
      before.close();
      throw error;
    }
  }

  /** Both dates' RGB chips of one patch. */
  async read(bbox: BBox): Promise<{ before: Uint8Array; after: Uint8Array }> {
    const extent = chipExtent(bbox, this.before.pixelSize, this.chip);
    const { size } = this.chip;
    const [before, after] = await Promise.all([
      this.before.render(extent, size, size),
      this.after.render(extent, size, size),
    ]);
    return { before, after };
  }

  close(): void {
    this.before.close();
    this.after.close();
  }
}
