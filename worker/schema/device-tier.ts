/**
 * Device tier from `navigator.deviceMemory` (GB) and
 * `navigator.hardwareConcurrency`: `low` with 2 GB or 2 cores or less, `high`
 * with 8 GB and 8 cores or more (either one unknown counts as enough), `mid`
 * in between, unknown when the browser exposes neither (Safari, Firefox).
 *
 * @example
 * ```ts
 * deviceTier(4, 8); // 'mid'
 * ```
 */
export const deviceTier = (memory?: number, cores?: number): 'low' | 'mid' | 'high' | undefined =>
  memory || cores
    ? memory! <= 2 || cores! <= 2
      ? 'low'
      : (memory || 8) > 7 && (cores || 8) > 7
        ? 'high'
        : 'mid'
    : undefined;
