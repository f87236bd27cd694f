/**
 * The storage form of a digest: centroids merged down to the public
 * compression, means rounded as the binary format keeps them, encoded in at
 * most MAX_BYTES.
 */
import type { CentroidSet } from './centroids.ts';
import { meanBits, RAW_MEANS } from './keys.ts';
import { encodeState, MAX_BYTES } from './serialize.ts';

/**
 * Compresses `c` in place to its storage form and returns the encoding.
 * The caller's digest then answers exactly like a decoded copy.
 *
 * Each round merges the previous round's centroids: idempotent at a given
 * compression (so encoding twice gives the same bytes), and compression is
 * lowered by 15% per round until the bytes fit, which only happens for very
 * large counts (~1e7+ values, whose weights take more varint bytes) and for
 * fractional weights (stored as float64).
 *
 * @example
 * const bytes = storeCentroids(c, 200, zeros, grid);
 */
export function storeCentroids(c: CentroidSet, compression: number, zeros: number, grid: number): Uint8Array {
  const bits = c.n > 0 ? meanBits(c.lo, c.hi) : RAW_MEANS;
  for (let comp = compression; ; comp = Math.max(1, Math.floor(comp * 0.85))) {
    if (c.n > 0) c.recompress(comp);
    const state = { compression, zeros, grid, n: c.n, lo: c.lo, hi: c.hi, means: c.means, weights: c.weights };
    // Small digests keep float64 means when they fit: their centroids are
    // mostly single samples, which then stay exact.
    let bytes = encodeState(state, RAW_MEANS);
    if (bytes.length > MAX_BYTES && bits !== RAW_MEANS) {
      c.quantize(bits);
      bytes = encodeState(state, bits);
    }
    if (bytes.length <= MAX_BYTES || comp === 1) return bytes;
  }
}
