/**
 * Interpolation over a run of centroids (the non-zero values of a digest);
 * query.ts layers the exact zero count and the value grid on top.
 *
 * The frame is Dunning's MergingDigest: a centroid's mean sits at the middle
 * of its rank range, the exact min and max anchor the two ends (one sample is
 * known to sit exactly there), and unit-weight centroids are treated as the
 * exact samples they are. Between two heavier centroids the digest uses a
 * monotone cubic (Fritsch-Butland) through the means instead of a straight
 * line: latency distributions are curved at the scale of a centroid, and the
 * cubic cuts the interpolation error at p75-p95 by 3-4x for the same bytes.
 * `weightAtOrBelow` inverts the very same curve, so cdf and quantile agree.
 */

/**
 * A sorted run of centroids with the exact extremes of the values in it.
 *
 * @example
 * const c: Centroids = { means, weights, n: 2, total: 5, lo: 1, hi: 9 };
 */
export interface Centroids {
  readonly means: Float64Array;
  readonly weights: Float64Array;
  readonly n: number;
  /** Sum of `weights[0..n)`. */
  readonly total: number;
  readonly lo: number;
  readonly hi: number;
}

/** Fritsch-Butland tangent at a knot from the secants on both sides. */
function tangent(s0: number, h0: number, s1: number, h1: number): number {
  if (s0 * s1 <= 0) return 0;
  return (3 * (h0 + h1)) / ((2 * h1 + h0) / s0 + (h1 + 2 * h0) / s1);
}

/**
 * Cubic between the means of centroids i and i + 1 (knots `h` apart in
 * rank), at fraction u of the way. Monotone in u, and within [m_i, m_i+1].
 */
function curve(c: Centroids, i: number, h: number, u: number): number {
  const { means: m, weights: w, n } = c;
  const mi = m[i]!;
  const mj = m[i + 1]!;
  const s = (mj - mi) / h;
  let ti = s;
  if (i > 0) {
    const h0 = (w[i - 1]! + w[i]!) / 2;
    ti = tangent((mi - m[i - 1]!) / h0, h0, s, h);
  }
  let tj = s;
  if (i + 2 < n) {
    const h2 = (w[i + 1]! + w[i + 2]!) / 2;
    tj = tangent(s, h, (m[i + 2]! - mj) / h2, h2);
  }
  const u2 = u * u;
  const u3 = u2 * u;
  const v = (2 * u3 - 3 * u2 + 1) * mi + (u3 - 2 * u2 + u) * h * ti + (3 * u2 - 2 * u3) * mj + (u3 - u2) * h * tj;
  return v < mi ? mi : v > mj ? mj : v;
}

function between(a: number, wa: number, b: number, wb: number): number {
  const x = (a * wa + b * wb) / (wa + wb);
  return x < a ? a : x > b ? b : x;
}

/**
 * The value at rank `r` (0 <= r <= c.total), i.e. an estimate of the smallest
 * value with at least `r` weight at or below it. NaN when empty.
 *
 * @example
 * valueAtRank(c, 0.99 * c.total); // p99 of the run
 */
export function valueAtRank(c: Centroids, r: number): number {
  const { means: m, weights: w, n, total, lo, hi } = c;
  if (n === 0) return Number.NaN;
  if (r <= 1) return lo;
  if (r >= total - 1) return hi;
  const w0 = w[0]!;
  if (w0 > 1 && r < w0 / 2) return lo + ((r - 1) / (w0 / 2 - 1)) * (m[0]! - lo);
  const wl = w[n - 1]!;
  if (wl > 1 && total - r <= wl / 2) {
    return hi - ((total - r - 1) / (wl / 2 - 1)) * (hi - m[n - 1]!);
  }
  let soFar = w0 / 2;
  for (let i = 0; i < n - 1; i++) {
    const wi = w[i]!;
    const wj = w[i + 1]!;
    const dw = (wi + wj) / 2;
    if (soFar + dw > r) {
      if (wi !== 1 && wj !== 1) return curve(c, i, dw, (r - soFar) / dw);
      // A singleton is an exact sample: it owns half a unit of rank on each
      // side, and only the rest of the gap is interpolated.
      let leftUnit = 0;
      if (wi === 1) {
        if (r - soFar < 0.5) return m[i]!;
        leftUnit = 0.5;
      }
      let rightUnit = 0;
      if (wj === 1) {
        if (soFar + dw - r <= 0.5) return m[i + 1]!;
        rightUnit = 0.5;
      }
      return between(m[i]!, soFar + dw - r - rightUnit, m[i + 1]!, r - soFar - leftUnit);
    }
    soFar += dw;
  }
  // Only reachable through rounding of the running sums.
  return hi;
}

/**
 * Estimated weight of the values `<= x`, between 0 and `c.total`; exact (0 or
 * total) outside [lo, hi). NaN when empty.
 *
 * @example
 * weightAtOrBelow(c, 2500) / c.total; // share of "good" LCP in the run
 */
export function weightAtOrBelow(c: Centroids, x: number): number {
  const { means: m, weights: w, n, total, lo, hi } = c;
  if (n === 0) return Number.NaN;
  if (x < lo) return 0;
  if (x >= hi) return total;
  const m0 = m[0]!;
  if (x < m0) {
    // x >= lo, so m0 > lo: one sample (or the whole weight, if less) sits
    // exactly at lo, then the ramp reaches half the centroid at its mean.
    const w0 = w[0]! / 2;
    const atLo = w0 < 1 ? w0 : 1;
    return atLo + ((x - lo) / (m0 - lo)) * (w0 - atLo);
  }
  const ml = m[n - 1]!;
  if (x > ml) {
    const wl = w[n - 1]! / 2;
    const atHi = wl < 1 ? wl : 1;
    return total - atHi - ((hi - x) / (hi - ml)) * (wl - atHi);
  }
  let soFar = 0;
  for (let i = 0; i < n - 1; i++) {
    const mi = m[i]!;
    const wi = w[i]!;
    if (mi === x) {
      // Half of the centroids sitting exactly on x, which keeps the curve
      // continuous from the left and monotone to the right.
      let dw = 0;
      for (let k = i; k < n && m[k] === x; k++) dw += w[k]!;
      return soFar + dw / 2;
    }
    const mj = m[i + 1]!;
    if (x < mj) {
      const wj = w[i + 1]!;
      const dw = (wi + wj) / 2;
      if (wi !== 1 && wj !== 1) return soFar + wi / 2 + dw * invertCurve(c, i, dw, x);
      if (wi === 1 && wj === 1) return soFar + 1;
      const leftOut = wi === 1 ? 0.5 : 0;
      const rightOut = wj === 1 ? 0.5 : 0;
      return soFar + wi / 2 + leftOut + ((dw - leftOut - rightOut) * (x - mi)) / (mj - mi);
    }
    soFar += wi;
  }
  // x equals the last mean.
  return total - w[n - 1]! / 2;
}

/** The u in [0, 1] at which `curve` reaches x (bisection: it is monotone). */
function invertCurve(c: Centroids, i: number, h: number, x: number): number {
  let a = 0;
  let b = 1;
  for (let k = 0; k < 40; k++) {
    const u = (a + b) / 2;
    if (curve(c, i, h, u) <= x) a = u;
    else b = u;
  }
  return a;
}
