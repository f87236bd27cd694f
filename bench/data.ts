/**
 * Seeded synthetic Web Vitals data for benchmarks and tests.
 *
 * Every generator is deterministic for a given `(n, seed)` so that tests,
 * benchmarks and their baselines all see the very same values run after run.
 */

/**
 * Seed used by the benchmarks unless a caller asks for another one.
 *
 * @example
 * lcpLike(1000, DEFAULT_SEED); // same as lcpLike(1000)
 */
export const DEFAULT_SEED = 0x5eed_2024;

export { mulberry32 } from '../worker/demo/random.ts';
import { mulberry32 } from '../worker/demo/random.ts';

/**
 * Standard normal draws (Box-Muller) from a uniform source.
 *
 * @example
 * const z = normalSource(mulberry32(1));
 * const x = 1800 * Math.exp(0.6 * z());
 */
export function normalSource(rand: () => number): () => number {
  let spare = Number.NaN;
  return () => {
    if (!Number.isNaN(spare)) {
      const s = spare;
      spare = Number.NaN;
      return s;
    }
    // 1 - rand() is in (0, 1], so the log never sees 0.
    const r = Math.sqrt(-2 * Math.log(1 - rand()));
    const theta = 2 * Math.PI * rand();
    spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  };
}

/**
 * LCP-like values in ms: lognormal (median 1800, sigma 0.6) plus a 3% tail
 * uniform on [4000, 30000] for pages that are slow for reasons the lognormal
 * does not model (blocked main thread, huge images, etc.).
 *
 * @example
 * const lcp = lcpLike(100_000); // Float64Array
 */
export function lcpLike(n: number, seed = DEFAULT_SEED): Float64Array {
  const rand = mulberry32(seed);
  const z = normalSource(mulberry32(seed ^ 0x9e3779b9));
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = rand() < 0.03 ? 4000 + 26000 * rand() : 1800 * Math.exp(0.6 * z());
  }
  return out;
}

/**
 * INP-like values in ms: lognormal (median 120, sigma 0.8) rounded to a
 * multiple of 8 ms with a floor of 8, like browsers report it. Many ties.
 *
 * @example
 * const inp = inpLike(100_000);
 */
export function inpLike(n: number, seed = DEFAULT_SEED + 1): Float64Array {
  const z = normalSource(mulberry32(seed));
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = Math.max(8, Math.round((120 * Math.exp(0.8 * z())) / 8) * 8);
  }
  return out;
}

/**
 * CLS-like unitless scores: 60% exact zeros (no layout shift at all), the
 * rest lognormal (median 0.05, sigma 1.0) capped at 10.
 *
 * @example
 * const cls = clsLike(100_000);
 */
export function clsLike(n: number, seed = DEFAULT_SEED + 2): Float64Array {
  const rand = mulberry32(seed);
  const z = normalSource(mulberry32(seed ^ 0x85ebca6b));
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = rand() < 0.6 ? 0 : Math.min(10, 0.05 * Math.exp(z()));
  }
  return out;
}

/**
 * A named generator, so benchmarks can loop over all data sets.
 *
 * @example
 * const inp: Dataset = { name: 'INP-like', generate: inpLike };
 */
export interface Dataset {
  readonly name: string;
  readonly generate: (n: number, seed?: number) => Float64Array;
}

/**
 * The three Web Vitals shaped data sets, in a stable order.
 *
 * @example
 * for (const { name, generate } of DATASETS) console.log(name, generate(10));
 */
export const DATASETS: readonly Dataset[] = [
  { name: 'LCP-like', generate: lcpLike },
  { name: 'INP-like', generate: inpLike },
  { name: 'CLS-like', generate: clsLike },
];

/** Index of the first element of sorted `a` that is >= x (or > x). */
function bound(a: Float64Array, x: number, strict: boolean): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x || (strict && a[mid] === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Rank error of estimate `e` for quantile `q` against ascending `sorted`
 * data: the distance from q to [#(< e), #(<= e)] / n. Without ties this is
 * |#(<= e)/n - q|; with ties (INP in 8 ms steps) any q inside the tied block
 * of e counts as exact.
 *
 * @example
 * rankError(Float64Array.of(1, 2, 2, 3), 2, 0.5); // 0
 */
export function rankError(sorted: Float64Array, e: number, q: number): number {
  const n = sorted.length;
  const below = bound(sorted, e, false) / n;
  const atOrBelow = bound(sorted, e, true) / n;
  return q < below ? below - q : q > atOrBelow ? q - atOrBelow : 0;
}

/**
 * Exact quantile of ascending data: the smallest value with at least q*n
 * values at or below it.
 *
 * @example
 * exactQuantile(Float64Array.of(1, 2, 3, 4), 0.75); // 3
 */
export function exactQuantile(sorted: Float64Array, q: number): number {
  const i = Math.max(0, Math.ceil(q * sorted.length) - 1);
  return sorted[Math.min(i, sorted.length - 1)]!;
}
