/** Seeded randomness for the demo data set and the benchmarks' data. */

/**
 * mulberry32: a 32-bit PRNG, small and fast, good enough for synthetic data
 * (not for cryptography). Returns floats in [0, 1).
 *
 * @example
 * const rand = mulberry32(42);
 * const u = rand(); // 0 <= u < 1
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
