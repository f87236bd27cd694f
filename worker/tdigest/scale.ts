/**
 * Scale function of the t-digest: how much weight a centroid may hold
 * depending on where (in quantile space) it sits.
 *
 * A centroid starting at quantile q may grow up to `qLimit(q)`, the quantile
 * at which the scale function k has grown by one unit: k(qLimit) = k(q) + 1.
 * Only one call per emitted centroid is made during a merge pass, so the
 * transcendental functions are off the per-value path.
 */

/** k2: (delta / Z) * ln(q / (1 - q)); width proportional to q(1-q). */
export const K2 = 2;
/** k3: (delta / Z) * ln(2q), mirrored; width proportional to min(q, 1-q). */
export const K3 = 3;
/** Which scale function a digest uses. */
export type ScaleKind = typeof K2 | typeof K3;

/**
 * Precomputed normalisation of the scale function for one merge pass.
 * `Z = 4 ln(n / delta) + 24` is Dunning's normaliser for k2, which keeps the
 * number of centroids close to `delta` whatever the total weight n.
 */
export interface Scale {
  readonly kind: ScaleKind;
  /** delta / Z */
  readonly norm: number;
}

/**
 * Builds the scale for a pass over `total` weight at the given compression.
 *
 * @example
 * const s = makeScale(K2, 100, 1e6);
 * const end = qLimit(s, 0.99); // a centroid starting at p99 may reach `end`
 */
export function makeScale(kind: ScaleKind, compression: number, total: number): Scale {
  const z = 4 * Math.log(Math.max(total / compression, 1)) + 24;
  return { kind, norm: compression / z };
}

/**
 * The quantile up to which a centroid whose left edge is at `q` may extend.
 *
 * @example
 * qLimit(makeScale(K2, 100, 1e6), 0.5); // ~0.65
 */
export function qLimit(scale: Scale, q: number): number {
  if (q <= 0) return 0;
  if (q >= 1) return 1;
  if (scale.kind === K2) {
    const k = Math.log(q / (1 - q)) + 1 / scale.norm;
    return 1 / (1 + Math.exp(-k));
  }
  const k = (q <= 0.5 ? Math.log(2 * q) : -Math.log(2 * (1 - q))) + 1 / scale.norm;
  return k <= 0 ? Math.exp(k) / 2 : 1 - Math.exp(-k) / 2;
}
