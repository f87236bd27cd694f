/**
 * The centroids of a digest's non-zero values, with the exact extremes of
 * those values, and the merge passes that maintain them.
 */
import type { Centroids } from './interpolate.ts';
import { quantizeMean } from './keys.ts';
import { mergeRuns } from './merge.ts';
import { makeScale } from './scale.ts';

// Shared zero-length placeholder: a digest that never merges anything
// should not allocate arrays for it.
const NONE = new Float64Array(0);

// Merge passes write into shared scratch (single-threaded, no re-entry) and
// the result is copied into right-sized arrays: a pass needs room for its
// whole input (buffer + centroids, ~4400 entries) but keeps ~300, and
// holding the larger arrays would cost each live digest ~100 KB.
let outM = new Float64Array(0);
let outW = new Float64Array(0);

function scratchFor(size: number): void {
  if (outM.length >= size) return;
  outM = new Float64Array(size);
  outW = new Float64Array(size);
}

/**
 * Sorted centroids of the non-zero values, with their exact extremes.
 *
 * @example
 * const c = new CentroidSet();
 * c.absorb(sortedValues, null, sortedValues.length, sortedValues.length, 400);
 */
export class CentroidSet implements Centroids {
  means: Float64Array<ArrayBuffer> = NONE;
  weights: Float64Array<ArrayBuffer> = NONE;
  n = 0;
  total = 0;
  lo = Number.POSITIVE_INFINITY;
  hi = Number.NEGATIVE_INFINITY;

  /**
   * Merges the sorted run `vals[0..k)` (weights `bw`, null = all 1, summing
   * to `added`) into the centroids at the given compression.
   */
  absorb(vals: Float64Array, bw: Float64Array | null, k: number, added: number, compression: number): void {
    if (vals[0]! < this.lo) this.lo = vals[0]!;
    if (vals[k - 1]! > this.hi) this.hi = vals[k - 1]!;
    const total = this.total + added;
    scratchFor(this.n + k);
    const n = mergeRuns(this.means, this.weights, this.n, vals, bw, k, total, makeScale(compression), outM, outW);
    this.keep(n);
  }

  /** Merges the centroids among themselves at a (lower) compression. */
  recompress(compression: number): void {
    scratchFor(this.n);
    const n = mergeRuns(this.means, this.weights, this.n, NONE, null, 0, this.total, makeScale(compression), outM, outW);
    this.keep(n);
  }

  /** Copies a merge pass result out of the scratch arrays. */
  private keep(n: number): void {
    if (this.means.length < n) {
      // Some slack, so that a digest growing towards its steady size does
      // not reallocate on every pass.
      const size = n + (n >> 2) + 8;
      this.means = new Float64Array(size);
      this.weights = new Float64Array(size);
    }
    this.means.set(outM.subarray(0, n));
    this.weights.set(outW.subarray(0, n));
    this.n = n;
    // Summed in centroid order, exactly as a decoder of these weights will:
    // with fractional weights, running totals could differ in the last bit.
    let total = 0;
    for (let i = 0; i < n; i++) total += outW[i]!;
    this.total = total;
  }

  /** Rounds the means to what the binary format stores (see keys.ts). */
  quantize(bits: number): void {
    const { means, n, lo, hi } = this;
    for (let i = 0; i < n; i++) means[i] = quantizeMean(means[i]!, bits, lo, hi);
  }

  /** Takes over decoded arrays (no copy). */
  load(means: Float64Array<ArrayBuffer>, weights: Float64Array<ArrayBuffer>, n: number, lo: number, hi: number): void {
    this.means = means;
    this.weights = weights;
    this.n = n;
    this.lo = lo;
    this.hi = hi;
    let total = 0;
    for (let i = 0; i < n; i++) total += weights[i]!;
    this.total = total;
  }
}
