/**
 * Stored precision of centroid means.
 *
 * Means are kept as float32 with some low mantissa bits dropped, and written
 * as order-preserving integer keys (the IEEE bits with the sign handled so
 * that integer order = numeric order): consecutive centroids then differ by
 * a small key delta, one or two varint bytes instead of eight.
 */

/**
 * Mantissa width meaning "keep float64 means" (float32 cannot do it).
 *
 * @example
 * quantizeMean(x, RAW_MEANS, lo, hi) === x; // true
 */
export const RAW_MEANS = 31;
/** Minimum mantissa bits kept: 2^-15 relative rounding error at most. */
const BASE_BITS = 14;
/** float32 finite limit, with margin so rounding a key never reaches Inf. */
const F32_MAX_SAFE = 1e37;
/** Below this, float32 loses precision to subnormals. */
const F32_MIN_SAFE = 1e-30;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * Mantissa bits to keep so that rounding a mean moves it by at most 2^-15 of
 * max(|lo|, |hi|) and about as little relative to the range [lo, hi], or
 * RAW_MEANS when float32 cannot do that.
 *
 * @example
 * meanBits(8, 30000); // 14: ms latencies need nothing more
 * meanBits(1000, 1100); // 18: narrow ranges keep more bits
 * meanBits(1000, 1001); // RAW_MEANS: beyond float32
 */
export function meanBits(lo: number, hi: number): number {
  const mag = Math.max(Math.abs(lo), Math.abs(hi));
  if (!(mag < F32_MAX_SAFE && mag > F32_MIN_SAFE)) return RAW_MEANS;
  const spread = hi - lo;
  if (spread <= 0) return BASE_BITS;
  // The tolerance keeps data spanning e.g. [3, 30000] at BASE_BITS.
  const extra = Math.ceil(Math.log2(mag / spread) - 0.05);
  if (extra <= 0) return BASE_BITS;
  return BASE_BITS + extra <= 23 ? BASE_BITS + extra : RAW_MEANS;
}

/**
 * Order-preserving unsigned key of `x` rounded to float32.
 *
 * @example
 * toKey(-1) < toKey(0) && toKey(0) < toKey(1); // true
 */
export function toKey(x: number): number {
  f32[0] = x;
  const h = u32[0]!;
  return (h & 0x80000000) !== 0 ? ~h >>> 0 : (h | 0x80000000) >>> 0;
}

/** 2^(e - 150) for every float32 exponent e, to rebuild floats from bits. */
const POW2 = Float64Array.from({ length: 256 }, (_, e) => 2 ** (Math.max(e, 1) - 150));

/**
 * Inverse of `toKey` for keys below 2^32, computed arithmetically: exact,
 * and cheaper than aliasing a Float32Array on the decode path.
 *
 * @example
 * fromKey(toKey(1.5)); // 1.5
 */
export function fromKey(k: number): number {
  const neg = k < 0x80000000;
  const b = neg ? 0x7fffffff - k : k - 0x80000000;
  const e = b >>> 23;
  const mant = b & 0x7fffff;
  const x = (e === 0 ? mant : mant + 0x800000) * POW2[e]!;
  return neg ? -x : x;
}

/**
 * The stored key of `x`: its float32 key rounded to `bits` mantissa bits,
 * in units of the dropped low bits (bits < 23 only; monotone in x).
 *
 * @example
 * storedKey(1.5, 14) === storedKey(1.50001, 14); // true: same 14-bit value
 */
export function storedKey(x: number, bits: number): number {
  const shift = 23 - bits;
  return shift === 0 ? toKey(x) : (toKey(x) + (1 << (shift - 1))) >>> shift;
}

/**
 * The mean as it will be stored: rounded to `bits` mantissa bits of a
 * float32 and clamped to [lo, hi]. Monotone, so sorted means stay sorted;
 * decoding `storedKey(x)` gives the same value for the already rounded x.
 *
 * @example
 * quantizeMean(1234.5678, 14, 8, 30000); // 1234.5625 (steps of 1/16 here)
 */
export function quantizeMean(x: number, bits: number, lo: number, hi: number): number {
  if (bits === RAW_MEANS) return x;
  const q = fromKey(storedKey(x, bits) * 2 ** (23 - bits));
  return q < lo ? lo : q > hi ? hi : q;
}
