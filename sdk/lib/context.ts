/**
 * Device and network context of a page view: Network Information API fields
 * where the browser has them (Chromium), deviceMemory and hardwareConcurrency
 * (the collector maps them to a device tier), the viewport and the pixel ratio.
 */
import type { Context } from '../types.ts';

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
    mem: n.deviceMemory,
    cores: n.hardwareConcurrency,
    vw: innerWidth,
    vh: innerHeight,
    dpr: devicePixelRatio,
    // A bare or empty `data-release` reads as `true`: no release then.
    rel: typeof release == 'string' ? release.slice(0, 64) : undefined,
  };
};
