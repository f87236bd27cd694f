/**
 * Digest-level queries: the interpolated centroids (interpolate.ts) with the
 * block of exact zeros inserted at 0 in rank order, answers snapped to the
 * value grid (grid.ts), and the exact extremes.
 */
import { valueAtRank, weightAtOrBelow, type Centroids } from './interpolate.ts';

/**
 * Exact smallest value of centroids plus `zeros` zeros; NaN when empty.
 *
 * @example
 * minOf(c, d.zeros);
 */
export function minOf(c: Centroids, zeros: number): number {
  if (zeros > 0) return c.n > 0 && c.lo < 0 ? c.lo : 0;
  return c.n > 0 ? c.lo : Number.NaN;
}

/**
 * Exact largest value of centroids plus `zeros` zeros; NaN when empty.
 *
 * @example
 * maxOf(c, d.zeros);
 */
export function maxOf(c: Centroids, zeros: number): number {
  if (zeros > 0) return c.n > 0 && c.hi > 0 ? c.hi : 0;
  return c.n > 0 ? c.hi : Number.NaN;
}

/**
 * Value at quantile q in [0, 1]: exactly 0 when the rank falls among the
 * zeros, otherwise interpolated, snapped to the grid and kept in [min, max].
 * NaN when empty.
 *
 * @example
 * quantileOf(c, zeros, grid, 0.75);
 */
export function quantileOf(c: Centroids, zeros: number, grid: number, q: number): number {
  const total = c.total + zeros;
  if (total === 0) return Number.NaN;
  if (q === 0) return minOf(c, zeros);
  if (q === 1) return maxOf(c, zeros);
  const r = q * total;
  // Rank (within the centroids) at which the block of zeros sits.
  const z0 = c.n === 0 || c.lo > 0 ? 0 : c.hi < 0 ? c.total : weightAtOrBelow(c, 0);
  if (r > z0 && r <= z0 + zeros) return 0;
  const v = valueAtRank(c, r <= z0 ? r : r - zeros);
  if (grid <= 0) return v;
  const snapped = Math.round(v / grid) * grid;
  return snapped < c.lo ? c.lo : snapped > c.hi ? c.hi : snapped;
}

/**
 * Fraction of the weight at or below x: exact (0 or 1) outside [min, max),
 * and exact from 0 up to the smallest non-zero value when all non-zero
 * values are positive. NaN when empty.
 *
 * @example
 * cdfOf(c, zeros, grid, 0.1); // share of "good" CLS
 */
export function cdfOf(c: Centroids, zeros: number, grid: number, x: number): number {
  const total = c.total + zeros;
  if (total === 0) return Number.NaN;
  // On a grid, every value up to the next grid point is "<= x"; the
  // interpolated rank half way to that point estimates it best.
  const at = grid > 0 && x >= c.lo && x < c.hi ? Math.floor(x / grid) * grid + grid / 2 : x;
  let below = c.n === 0 ? 0 : weightAtOrBelow(c, at);
  if (x >= 0) below += zeros;
  return below <= 0 ? 0 : below >= total ? 1 : below / total;
}
