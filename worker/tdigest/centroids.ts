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

/**
 * Sorted centroids (double-buffered: a merge pass writes into the spare
 * arrays, then the two sets swap).
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
  private spareM: Float64Array<ArrayBuffer> = NONE;
  private spareW: Float64Array<ArrayBuffer> = NONE;

  /**
   * Merges the sorted run `vals[0..k)` (weights `bw`, null = all 1, summing
   * to `added`) into the centroids at the given compression.
   */
  absorb(vals: Float64Array, bw: Float64Array | null, k: number, added: number, compression: number): void {
    if (vals[0]! < this.lo) this.lo = vals[0]!;
    if (vals[k - 1]! > this.hi) this.hi = vals[k - 1]!;
    const total = this.total + added;
    this.ensureSpare(this.n + k);
    const s = makeScale(compression);
    this.n = mergeRuns(this.means, this.weights, this.n, vals, bw, k, total, s, this.spareM, this.spareW);
    this.total = total;
    this.swap();
  }

  /** Merges the centroids among themselves at a (lower) compression. */
  recompress(compression: number): void {
    this.ensureSpare(this.n);
    const s = makeScale(compression);
    this.n = mergeRuns(this.means, this.weights, this.n, NONE, null, 0, this.total, s, this.spareM, this.spareW);
    this.swap();
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

  private ensureSpare(size: number): void {
    if (this.spareM.length >= size) return;
    this.spareM = new Float64Array(size);
    this.spareW = new Float64Array(size);
  }

  private swap(): void {
    const m = this.means;
    const w = this.weights;
    this.means = this.spareM;
    this.weights = this.spareW;
    this.spareM = m;
    this.spareW = w;
  }
}
