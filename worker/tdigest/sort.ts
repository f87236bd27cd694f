/**
 * Sorting of the t-digest input buffer.
 *
 * `Float64Array.prototype.sort` costs 50-80 ns per element in V8, more than the
 * whole per-`add()` budget (20 M adds/s = 50 ns). An LSD radix sort on the
 * high 32 bits of each double (sign, exponent, top 20 mantissa bits) is several
 * times faster; values that share a bucket are put in exact order by a final
 * insertion pass, which costs one comparison per element when there is
 * nothing to fix and a few moves when buckets hold a handful of values.
 */

const RADIX_BITS = 11;
const RADIX = 1 << RADIX_BITS;
const MASK = RADIX - 1;

/** Index of the high 32-bit word of a double inside a Uint32Array view. */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

// Shared scratch: sorting never re-enters (single-threaded, no callbacks), and
// a digest that is only loaded and queried should not pay for sort buffers.
let keysA = new Uint32Array(0);
let keysB = new Uint32Array(0);
let valsB = new Float64Array(0);
let weightsB = new Float64Array(0);
const counts = new Uint32Array(2 * RADIX);

function ensureScratch(n: number): void {
  if (keysA.length >= n) return;
  const size = Math.max(n, keysA.length * 2);
  keysA = new Uint32Array(size);
  keysB = new Uint32Array(size);
  valsB = new Float64Array(size);
  weightsB = new Float64Array(size);
}

/**
 * Sorts `vals[0..n)` ascending in place and applies the same permutation to
 * `weights` when given. `bits` must be a Uint32Array view over the exact
 * memory of `vals` (two words per double); the caller keeps it to avoid
 * allocating a view per sort. Values must be finite.
 *
 * Two 11-bit radix passes cover the 22 key bits just below the highest bit
 * on which the buffer's keys differ, so the buckets adapt to the data's
 * range: wide data (ms latencies) is bucketed by exponent and top mantissa
 * bits, narrow data by lower mantissa bits.
 *
 * @example
 * const vals = new Float64Array([3, 1, 2]);
 * sortValues(vals, new Uint32Array(vals.buffer), null, 3); // vals = [1, 2, 3]
 */
export function sortValues(
  vals: Float64Array,
  bits: Uint32Array,
  weights: Float64Array | null,
  n: number,
): void {
  if (n < 2) return;
  ensureScratch(n);
  const keys = keysA;
  let diff = 0;
  const first = toKey(bits[HI]!);
  for (let i = 0; i < n; i++) {
    const k = toKey(bits[2 * i + HI]!);
    keys[i] = k;
    diff |= k ^ first;
  }
  if (diff === 0) {
    // All values share their high word (a very narrow range): the low word
    // alone decides the order, reversed for negative values.
    const flip = (bits[HI]! & 0x80000000) !== 0;
    for (let i = 0; i < n; i++) {
      const k = flip ? ~bits[2 * i + 1 - HI]! >>> 0 : bits[2 * i + 1 - HI]!;
      keys[i] = k;
      diff |= k ^ keys[0]!;
    }
  }
  if (diff !== 0) {
    const top = 31 - Math.clz32(diff);
    const low = top > 2 * RADIX_BITS - 1 ? top - (2 * RADIX_BITS - 1) : 0;
    radixPasses(vals, weights, n, low);
  }
  // Crowded buckets (a dense cluster far from a few outliers) would make
  // the insertion pass quadratic; past a budget, a comparison sort finishes.
  if (!insertionFix(vals, weights, n, 8 * n)) comparisonSort(vals, weights, n);
}

/** Order-preserving map of the high word of a double to an unsigned int. */
function toKey(h: number): number {
  return (h & 0x80000000) !== 0 ? ~h >>> 0 : (h | 0x80000000) >>> 0;
}

function radixPasses(vals: Float64Array, weights: Float64Array | null, n: number, low: number): void {
  counts.fill(0);
  const keys = keysA;
  for (let i = 0; i < n; i++) {
    const k = keys[i]!;
    counts[(k >>> low) & MASK]!++;
    counts[RADIX + ((k >>> (low + RADIX_BITS)) & MASK)]!++;
  }
  let sum0 = 0;
  let sum1 = 0;
  for (let b = 0; b < RADIX; b++) {
    const c0 = counts[b]!;
    counts[b] = sum0;
    sum0 += c0;
    const c1 = counts[RADIX + b]!;
    counts[RADIX + b] = sum1;
    sum1 += c1;
  }
  // Pass 1: low digit, from (keys, vals) into the scratch copies.
  const k2 = keysB;
  const v2 = valsB;
  const hiShift = low + RADIX_BITS;
  if (weights === null) {
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      const pos = counts[(k >>> low) & MASK]!++;
      k2[pos] = k;
      v2[pos] = vals[i]!;
    }
    // Pass 2: high digit, back into the caller's array; keys are not needed
    // any more.
    for (let i = 0; i < n; i++) {
      const pos = counts[RADIX + ((k2[i]! >>> hiShift) & MASK)]!++;
      vals[pos] = v2[i]!;
    }
  } else {
    const w2 = weightsB;
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      const pos = counts[(k >>> low) & MASK]!++;
      k2[pos] = k;
      v2[pos] = vals[i]!;
      w2[pos] = weights[i]!;
    }
    for (let i = 0; i < n; i++) {
      const pos = counts[RADIX + ((k2[i]! >>> hiShift) & MASK)]!++;
      vals[pos] = v2[i]!;
      weights[pos] = w2[i]!;
    }
  }
}

/**
 * Exact ordering within buckets; false (with `vals` still a permutation of
 * the input) when it would take more than `budget` moves.
 */
function insertionFix(vals: Float64Array, weights: Float64Array | null, n: number, budget: number): boolean {
  for (let i = 1; i < n; i++) {
    const v = vals[i]!;
    if (v >= vals[i - 1]!) continue;
    const w = weights === null ? 0 : weights[i]!;
    let j = i - 1;
    while (j >= 0 && vals[j]! > v) {
      vals[j + 1] = vals[j]!;
      if (weights !== null) weights[j + 1] = weights[j]!;
      j--;
    }
    vals[j + 1] = v;
    if (weights !== null) weights[j + 1] = w;
    budget -= i - j;
    if (budget < 0) return false;
  }
  return true;
}

/** Rarely needed fallback: native sort, through an index when weighted. */
function comparisonSort(vals: Float64Array, weights: Float64Array | null, n: number): void {
  if (weights === null) {
    vals.subarray(0, n).sort();
    return;
  }
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => vals[a]! - vals[b]!);
  const v = valsB;
  const w = weightsB;
  for (let i = 0; i < n; i++) {
    v[i] = vals[order[i]!]!;
    w[i] = weights[order[i]!]!;
  }
  vals.set(v.subarray(0, n));
  weights.set(w.subarray(0, n));
}
