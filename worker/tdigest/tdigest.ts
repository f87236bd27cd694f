/**
 * A merging t-digest (Dunning & Ertl, "Computing extremely accurate quantiles
 * using t-digests") for RUM metrics: values go to a flat buffer, and a full
 * buffer is sorted and merged with the centroids in one pass under a scale
 * function that keeps centroids small towards the tails (scale.ts).
 *
 * On top of the textbook digest:
 * - exact zeros are counted outside the centroids, so a metric that is
 *   mostly 0 (CLS) gets quantile = 0 and cdf(0) exactly right;
 * - min, max and the total weight are exact;
 * - integer data on a common step (INP in 8 ms) gets answers on that step;
 * - the binary form is capped at 512 bytes whatever the input size.
 *
 * Runs unchanged in Workers and Node: no Node APIs, no dependencies.
 */
import { CentroidSet } from './centroids.ts';
import { combineGrids, gridOf, NO_VALUES, onGrid } from './grid.ts';
import { cdfOf, maxOf, minOf, quantileOf } from './query.ts';
import { decodeState } from './serialize.ts';
import { sortValues } from './sort.ts';
import { storeCentroids } from './storage.ts';

/** Values buffered before a merge pass; large enough to amortise the pass. */
const BUFFER_SIZE = 4096;
/**
 * The buffer starts small and grows 4x at a time up to BUFFER_SIZE: an
 * ingestion batch keeps one digest per metric and dimension value, most of
 * them with a handful of values, and 32 KB each would add up.
 */
const FIRST_BUFFER = 64;
/**
 * In memory the digest keeps twice the public compression (Dunning's
 * two-level scheme): merges and queries before storage lose less, and
 * `compress()` brings it down to the public compression for storage.
 */
const INTERNAL_FACTOR = 2;
/**
 * Default compression: ~100 stored centroids, ~450 bytes at 1e6 values.
 *
 * @example
 * new TDigest().compression === DEFAULT_COMPRESSION; // true
 */
export const DEFAULT_COMPRESSION = 200;

/**
 * Streaming quantile sketch for metric values.
 *
 * Invalid input throws a RangeError: non-finite values, and weights that are
 * negative or not finite (a weight of 0 is accepted and ignored). Queries on
 * an empty digest return NaN. Any finite value is accepted; only exact 0
 * (or -0) goes to the zero count.
 *
 * @example
 * const d = new TDigest();
 * for (const v of [0, 0, 120, 180, 2400]) d.add(v);
 * d.quantile(0.5); // 120
 * d.cdf(200);      // 0.8
 * const copy = TDigest.fromBytes(d.toBytes());
 */
export class TDigest {
  /** Public (storage) compression; see the constructor. */
  readonly compression: number;
  private readonly c = new CentroidSet();
  private zeroCount = 0;
  private grid = NO_VALUES;
  // Allocated on the first add: digests that are only loaded, merged into
  // others and queried never need a buffer.
  private bufV: Float64Array | null = null;
  private bufBits: Uint32Array | null = null;
  private bufW: Float64Array | null = null;
  private bufN = 0;

  /**
   * @param compression Accuracy/size trade-off, rounded to an integer in
   *   [10, 10000]; the stored digest keeps about compression / 2 centroids.
   * @example
   * const coarse = new TDigest(100);
   */
  constructor(compression = DEFAULT_COMPRESSION) {
    const c = Math.round(compression);
    if (!(c >= 10 && c <= 10000)) throw new RangeError('t-digest: compression must be in [10, 10000]');
    this.compression = c;
  }

  /**
   * Adds `value` with `weight` (default 1). Exact zeros only increment the
   * zero count.
   *
   * @example
   * d.add(1830.5);
   * d.add(0.12, 10); // a sampled beacon standing for 10 page views
   */
  add(value: number, weight = 1): void {
    if (weight !== 1) {
      this.addWeighted(value, weight);
      return;
    }
    if (value === 0) {
      this.zeroCount++;
      return;
    }
    // NaN and +-Infinity are the only numbers for which x - x is not 0.
    if (value - value !== 0) throw new RangeError(`t-digest: value must be finite, got ${value}`);
    if (this.grid !== 0 && !(this.grid > 0 && onGrid(value, this.grid))) {
      this.grid = combineGrids(this.grid, gridOf(value));
    }
    const buf = this.bufV ?? this.allocBuffer();
    const i = this.bufN;
    buf[i] = value;
    if (this.bufW !== null) this.bufW[i] = 1;
    this.bufN = i + 1;
    if (i + 1 === buf.length) this.bufferFull();
  }

  private addWeighted(value: number, weight: number): void {
    if (!(weight >= 0 && weight < Number.POSITIVE_INFINITY)) {
      throw new RangeError(`t-digest: weight must be finite and >= 0, got ${weight}`);
    }
    if (value - value !== 0) throw new RangeError(`t-digest: value must be finite, got ${value}`);
    if (weight === 0) return;
    if (value === 0) {
      this.zeroCount += weight;
      return;
    }
    this.grid = combineGrids(this.grid, gridOf(value));
    const buf = this.bufV ?? this.allocBuffer();
    const bw = this.bufW ?? this.allocWeights();
    const i = this.bufN;
    buf[i] = value;
    bw[i] = weight;
    this.bufN = i + 1;
    if (i + 1 === buf.length) this.bufferFull();
  }

  /** Weights are only stored once a weight other than 1 shows up. */
  private allocWeights(): Float64Array {
    const bw = new Float64Array(this.bufV!.length);
    bw.fill(1, 0, this.bufN);
    this.bufW = bw;
    return bw;
  }

  private allocBuffer(size = FIRST_BUFFER): Float64Array {
    const buf = new Float64Array(size);
    this.bufV = buf;
    this.bufBits = new Uint32Array(buf.buffer);
    return buf;
  }

  /** Grows a full buffer, or merges it once it has reached BUFFER_SIZE. */
  private bufferFull(): void {
    const old = this.bufV!;
    if (old.length >= BUFFER_SIZE) {
      this.flush();
      return;
    }
    this.allocBuffer(Math.min(old.length * 4, BUFFER_SIZE)).set(old);
    const bw = this.bufW;
    if (bw !== null) {
      this.bufW = new Float64Array(this.bufV!.length);
      this.bufW.set(bw);
    }
  }

  /**
   * Merges `other` into this digest. `other` answers as before (its pending
   * values are merged into its own centroids, nothing more).
   *
   * @example
   * const day = new TDigest();
   * for (const hour of hourly) day.merge(hour);
   */
  merge(other: TDigest): this {
    if (other === this) throw new RangeError('t-digest: cannot merge a digest into itself');
    other.flush();
    this.zeroCount += other.zeroCount;
    const oc = other.c;
    if (oc.n === 0) return this;
    this.grid = combineGrids(this.grid, other.grid);
    if (oc.lo < this.c.lo) this.c.lo = oc.lo;
    if (oc.hi > this.c.hi) this.c.hi = oc.hi;
    // Bulk copies into the buffer: merging 100 stored digests is mostly this.
    for (let from = 0; from < oc.n; ) {
      const buf = this.bufV ?? this.allocBuffer();
      const bw = this.bufW ?? this.allocWeights();
      const k = Math.min(oc.n - from, buf.length - this.bufN);
      buf.set(oc.means.subarray(from, from + k), this.bufN);
      bw.set(oc.weights.subarray(from, from + k), this.bufN);
      this.bufN += k;
      from += k;
      if (this.bufN === buf.length) this.bufferFull();
    }
    return this;
  }

  /** Sorts the buffer and merges it into the centroids. */
  private flush(): void {
    const k = this.bufN;
    if (k === 0) return;
    const buf = this.bufV!;
    const bw = this.bufW;
    sortValues(buf, this.bufBits!, bw, k);
    let added = k;
    if (bw !== null) {
      added = 0;
      for (let i = 0; i < k; i++) added += bw[i]!;
    }
    this.c.absorb(buf, bw, k, added, INTERNAL_FACTOR * this.compression);
    this.bufN = 0;
  }

  /**
   * Brings the digest to its storage form: buffer merged, centroids merged
   * down to the public compression (harder if needed to fit in 512 bytes),
   * means rounded as they will be stored. `toBytes()` calls it, so the
   * digest answers exactly like its decoded copy afterwards.
   *
   * @example
   * d.compress();
   * d.quantile(0.99) === TDigest.fromBytes(d.toBytes()).quantile(0.99); // true
   */
  compress(): this {
    this.storageForm();
    return this;
  }

  /** Compresses (see `compress`) and returns the encoding. */
  private storageForm(): Uint8Array {
    this.flush();
    // A stored digest is usually done with: give the buffer (up to 32 KB)
    // back; the next add allocates a small one again.
    this.bufV = this.bufBits = this.bufW = null;
    return storeCentroids(this.c, this.compression, this.zeroCount, this.grid);
  }

  /**
   * Compresses (see `compress`) and encodes the digest in at most 512 bytes.
   *
   * @example
   * await env.KV.put(key, d.toBytes());
   */
  toBytes(): Uint8Array {
    return this.storageForm();
  }

  /**
   * Decodes `toBytes()` output; throws RangeError on malformed input.
   *
   * @example
   * const d = TDigest.fromBytes(new Uint8Array(await env.KV.get(key, 'arrayBuffer')));
   */
  static fromBytes(bytes: Uint8Array): TDigest {
    const s = decodeState(bytes);
    const d = new TDigest(s.compression);
    d.c.load(s.means, s.weights, s.n, s.lo, s.hi);
    d.zeroCount = s.zeros;
    d.grid = s.grid;
    return d;
  }

  /**
   * Value at quantile `q` in [0, 1], interpolated between centroids and kept
   * within the exact [min, max]; exactly 0 when the rank falls among the
   * zeros. NaN when empty; RangeError when q is outside [0, 1].
   *
   * @example
   * d.quantile(0.75); // p75, the Core Web Vitals assessment percentile
   */
  quantile(q: number): number {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`t-digest: quantile must be in [0, 1], got ${q}`);
    this.flush();
    return quantileOf(this.c, this.zeroCount, this.grid, q);
  }

  /**
   * Fraction of the weight at or below `x`, in [0, 1]: exactly 0 below the
   * minimum and 1 from the maximum on, and exact around 0 when all non-zero
   * values are positive. NaN when empty; RangeError for NaN.
   *
   * @example
   * d.cdf(2500); // share of "good" LCP
   */
  cdf(x: number): number {
    if (Number.isNaN(x)) throw new RangeError('t-digest: cdf of NaN');
    this.flush();
    return cdfOf(this.c, this.zeroCount, this.grid, x);
  }

  /**
   * Total weight added (exact for integer weights up to 2^53).
   *
   * @example
   * d.count; // page views behind the percentiles
   */
  get count(): number {
    this.flush();
    return this.c.total + this.zeroCount;
  }

  /**
   * Exact weight of the values equal to 0.
   *
   * @example
   * cls.zeros / cls.count; // share of page views without any layout shift
   */
  get zeros(): number {
    return this.zeroCount;
  }

  /**
   * Exact smallest value; NaN when empty.
   *
   * @example
   * d.min; // fastest page view
   */
  get min(): number {
    this.flush();
    return minOf(this.c, this.zeroCount);
  }

  /**
   * Exact largest value; NaN when empty.
   *
   * @example
   * d.max; // slowest page view
   */
  get max(): number {
    this.flush();
    return maxOf(this.c, this.zeroCount);
  }
}
