/**
 * The value grid: the common integer step of all non-zero values, when there
 * is one. Browsers report INP in multiples of 8 ms, and many metrics in
 * whole ms; an interpolated 771 ms then stands for 768 ms or 776 ms, never
 * for a value in between, so answers snap to the grid.
 *
 * Encoding: -1 before the first non-zero value, g >= 1 when every value is
 * an integer multiple of g, 0 when there is no grid.
 */

/**
 * Grid state of a digest that has seen no non-zero value yet.
 *
 * @example
 * combineGrids(NO_VALUES, 8); // 8
 */
export const NO_VALUES = -1;

/**
 * The grid of a single value: itself when an integer below 2^31 (larger
 * ones would make the per-add check inexact), else none.
 *
 * @example
 * gridOf(136); // 136
 * gridOf(0.25); // 0
 */
export function gridOf(v: number): number {
  const a = Math.abs(v);
  return Number.isInteger(a) && a < 2 ** 31 ? a : 0;
}

/**
 * Grid of the union of two value sets: the greatest common divisor.
 *
 * @example
 * combineGrids(136, 8); // 8
 * combineGrids(NO_VALUES, 24); // 24
 */
export function combineGrids(a: number, b: number): number {
  if (a < 0) return b;
  if (b < 0) return a;
  if (a === 0 || b === 0) return 0;
  while (b > 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/**
 * True when `value` is on grid `g` (g > 0); one division and a floor, cheap
 * enough for the per-add path (`%` on doubles costs ~10 ns in V8).
 *
 * @example
 * onGrid(136, 8); // true
 */
export function onGrid(value: number, g: number): boolean {
  const t = value / g;
  return Math.floor(t) === t;
}
