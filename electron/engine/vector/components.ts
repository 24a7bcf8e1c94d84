/**
 * Connected-component labelling of binary masks.
 *
 * Foreground pixels are connected through their 4 edge neighbours by default (4-connectivity):
 * two pixels that touch only at a corner are separate components. Background is the dual, so
 * hole finding labels background pixels with 8-connectivity (see morphology.ts); together the
 * (4, 8) pair is what makes the traced polygons of trace.ts well defined.
 *
 * Scenes can be 20k x 20k pixels, so everything here is iterative and works on typed arrays:
 * a two-pass union-find where the label raster itself holds the union-find forest.
 */

/** Which neighbours join two pixels: 4 = edges only, 8 = edges and corners. */
export type Connectivity = 4 | 8;

export interface LabelOptions {
  /** 4 (default) or 8. */
  connectivity?: Connectivity;
  /** Label the zero pixels instead of the non-zero ones (background components, e.g. holes). */
  invert?: boolean;
  /**
   * Column runs that hold every foreground pixel ({@link ColumnRuns}); only they are scanned, so a
   * wide mask with a few small changes costs the changes' columns, not its width. Not with
   * `invert`.
   */
  columns?: ColumnRuns;
  /** The label raster to fill: width × height, all 0 (a reused one); absent: a new one. */
  into?: Int32Array;
}

/**
 * Sorted, disjoint column ranges `[start, end)` as pairs: `[s0, e0, s1, e1, …]`. Pixels outside
 * them are background in every row.
 */
export type ColumnRuns = Int32Array;

/** The one run covering a raster `width` wide. */
export function allColumns(width: number): ColumnRuns {
  return Int32Array.of(0, width);
}

/** The union of several column runs, as column runs (touching runs merge). */
export function unionColumns(sets: ColumnRuns[]): ColumnRuns {
  const pairs: [number, number][] = [];
  for (const runs of sets)
    for (let j = 0; j < runs.length; j += 2) pairs.push([runs[j], runs[j + 1]]);
  pairs.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [s, e] of pairs) {
    if (out.length > 0 && s <= out[out.length - 1])
      out[out.length - 1] = Math.max(out[out.length - 1], e);
    else out.push(s, e);
  }
  return Int32Array.from(out);
}

export interface Labeling {
  /** Per pixel, row-major: 0 = not labelled, else the component label 1..count. */
  labels: Int32Array;
  /** Number of components; labels are numbered in raster order of each component's first pixel. */
  count: number;
  width: number;
  height: number;
  /** The column runs every label lies in (labels are 0 outside); absent: the whole width. */
  columns?: ColumnRuns;
}

export interface ComponentStats {
  /** The component's label in {@link Labeling.labels}. */
  label: number;
  pixelCount: number;
  /** Inclusive pixel bounds: [minCol, minRow, maxCol, maxRow]. */
  bbox: [number, number, number, number];
  /** Row-major index of the component's first pixel in raster order (its top-left pixel). */
  firstPixel: number;
  /** True when the component has a pixel in the first/last row or column. */
  touchesBorder: boolean;
  /** Mean of the finite probabilities under the component; NaN without a probability raster. */
  meanProb: number;
  /** Max of the finite probabilities under the component; NaN without a probability raster. */
  maxProb: number;
}

/** Throws unless `length` matches a width x height raster. */
export function checkRasterSize(length: number, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new RangeError(`invalid raster size ${width}x${height}`);
  }
  if (length !== width * height) {
    throw new RangeError(`raster has ${length} pixels, expected ${width}x${height}`);
  }
}

/**
 * Union-find root with path halving. `labels[i] - 1` is the parent of pixel i, and parents never
 * have a larger index than their children, which pass 2 of {@link labelComponents} relies on.
 */
function findRoot(labels: Int32Array, i: number): number {
  for (;;) {
    const p = labels[i] - 1;
    if (p === i) return i;
    const gp = labels[p] - 1;
    labels[i] = gp + 1;
    i = gp;
  }
}

/** Joins two roots, keeping the smaller index as the root so roots are first pixels. */
function unite(labels: Int32Array, a: number, b: number): number {
  if (a === b) return a;
  if (a < b) {
    labels[b] = a + 1;
    return a;
  }
  labels[a] = b + 1;
  return b;
}

/** Unites pixel j's tree with `root` (-1 = none yet) and returns the combined root. */
function joinRoot(labels: Int32Array, root: number, j: number): number {
  const r = findRoot(labels, j);
  return root < 0 ? r : unite(labels, root, r);
}

/**
 * Labels the connected components of a binary mask (any non-zero byte is foreground).
 *
 * @param mask - row-major width x height mask
 * @param options - connectivity (default 4, edge neighbours only) and whether to label zeros
 * @returns the label raster and component count; label k is the k-th component met in raster order
 */
export function labelComponents(
  mask: Uint8Array,
  width: number,
  height: number,
  options: LabelOptions = {},
): Labeling {
  checkRasterSize(mask.length, width, height);
  const eight = options.connectivity === 8;
  if (options.connectivity !== undefined && options.connectivity !== 4 && !eight) {
    throw new RangeError(`connectivity must be 4 or 8, got ${String(options.connectivity)}`);
  }
  const invert = options.invert === true;
  if (invert && options.columns) throw new RangeError('column runs cannot be used with invert');
  const runs = options.columns ?? allColumns(width);
  if (options.into && options.into.length !== width * height) {
    throw new RangeError(
      `label raster has ${options.into.length} pixels, expected ${width}x${height}`,
    );
  }
  const labels = options.into ?? new Int32Array(width * height);

  // Pass 1: labels[i] = parent + 1, with every neighbour already seen in raster order united.
  // Pixels outside the runs are background: their labels stay 0, as a full scan would leave them.
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let r = 0; r < runs.length; r += 2) {
      for (let x = runs[r]; x < runs[r + 1]; x++) {
        const i = row + x;
        if ((mask[i] !== 0) === invert) continue;
        // Inlined (no closure) because this loop runs once per pixel of the scene.
        let root = x > 0 && labels[i - 1] !== 0 ? findRoot(labels, i - 1) : -1;
        if (y > 0) {
          const up = i - width;
          if (labels[up] !== 0) root = joinRoot(labels, root, up);
          if (eight) {
            if (x > 0 && labels[up - 1] !== 0) root = joinRoot(labels, root, up - 1);
            if (x + 1 < width && labels[up + 1] !== 0) root = joinRoot(labels, root, up + 1);
          }
        }
        labels[i] = (root < 0 ? i : root) + 1;
      }
    }
  }

  // Pass 2: every parent precedes its child and is already final, so one sweep in raster order
  // (row by row, runs left to right) suffices.
  let count = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let r = 0; r < runs.length; r += 2) {
      for (let i = row + runs[r]; i < row + runs[r + 1]; i++) {
        const v = labels[i];
        if (v === 0) continue;
        const p = v - 1;
        labels[i] = p === i ? ++count : labels[p];
      }
    }
  }
  return options.columns
    ? { labels, count, width, height, columns: options.columns }
    : { labels, count, width, height };
}

/**
 * Per-component pixel count, bounding box and (optionally) probability statistics.
 *
 * @param labeling - output of {@link labelComponents}
 * @param prob - optional probability raster of the same size; NaN values are ignored
 * @returns one entry per label, index = label - 1
 */
export function componentStats(labeling: Labeling, prob?: Float32Array): ComponentStats[] {
  const { labels, count, width, height } = labeling;
  if (prob) checkRasterSize(prob.length, width, height);
  const size = count + 1;
  const pixels = new Float64Array(size);
  const minX = new Int32Array(size).fill(width);
  const minY = new Int32Array(size).fill(height);
  const maxX = new Int32Array(size).fill(-1);
  const maxY = new Int32Array(size).fill(-1);
  const first = new Int32Array(size).fill(-1);
  const sum = new Float64Array(size);
  const finite = new Float64Array(size);
  const max = new Float64Array(size).fill(-Infinity);
  const runs = labeling.columns ?? allColumns(width);
  for (let y = 0; y < height; y++) {
    for (let r = 0; r < runs.length; r += 2) {
      for (let x = runs[r], i = y * width + x; x < runs[r + 1]; x++, i++) {
        const k = labels[i];
        if (k === 0) continue;
        if (pixels[k]++ === 0) first[k] = i;
        if (x < minX[k]) minX[k] = x;
        if (x > maxX[k]) maxX[k] = x;
        if (y < minY[k]) minY[k] = y;
        maxY[k] = y;
        if (prob) {
          const p = prob[i];
          if (p === p) {
            sum[k] += p;
            finite[k]++;
            if (p > max[k]) max[k] = p;
          }
        }
      }
    }
  }
  const out: ComponentStats[] = [];
  for (let k = 1; k <= count; k++) {
    const hasProb = prob !== undefined && finite[k] > 0;
    out.push({
      label: k,
      pixelCount: pixels[k],
      bbox: [minX[k], minY[k], maxX[k], maxY[k]],
      firstPixel: first[k],
      touchesBorder:
        minX[k] === 0 || minY[k] === 0 || maxX[k] === width - 1 || maxY[k] === height - 1,
      meanProb: hasProb ? sum[k] / finite[k] : NaN,
      maxProb: hasProb ? max[k] : NaN,
    });
  }
  return out;
}

/**
 * Labels a mask and returns the label raster together with per-component statistics.
 *
 * @param prob - optional probability raster for mean/max probability per component
 */
export function findComponents(
  mask: Uint8Array,
  width: number,
  height: number,
  prob?: Float32Array,
  options: LabelOptions = {},
): { labeling: Labeling; components: ComponentStats[] } {
  const labeling = labelComponents(mask, width, height, options);
  return { labeling, components: componentStats(labeling, prob) };
}
