/**
 * Device and network context of a page view: Network Information API fields
 * where the browser has them (Chromium), a device tier from deviceMemory and
 * hardwareConcurrency, the viewport and the pixel ratio.
 */
import type { Context } from '../types.ts';

/** `low` with 2 GB / 2 cores or less, `high` with 8 GB and 8 cores (either unknown counts as enough), else `mid`. */
export const deviceTier = (memory?: number, cores?: number): Context['tier'] =>
  memory || cores
    ? memory! <= 2 || cores! <= 2
      ? 'low'
      : (memory || 8) > 7 && (cores || 8) > 7
        ? 'high'
        : 'mid'
    : undefined;

export const context = (release?: string): Context => {
  const n = navigator as Navigator & {
    connection?: { effectiveType?: Context['ect']; rtt?: number; downlink?: number; saveData?: boolean };
    deviceMemory?: number;
  };
  const c = n.connection || {};
  return {
    ect: c.effectiveType,
    rtt: c.rtt,
    dl: c.downlink,
    save: c.saveData,
    tier: deviceTier(n.deviceMemory, n.hardwareConcurrency),
    vw: innerWidth,
    vh: innerHeight,
    dpr: devicePixelRatio,
    rel: release?.slice(0, 64),
  };
};
