/**
 * Navigation timing breakdown of the document, from the `navigation` entry.
 * Points in time (TTFB, DOM interactive, DOMContentLoaded, load) count from
 * activation, so prerendered pages are measured from when the user saw them;
 * a point not reached yet is left out rather than sent as 0.
 */
import type { Event } from '../types.ts';
import { ms } from './clamp.ts';

type Entry = PerformanceNavigationTiming & Record<string, number>;

export const navTiming = (n: Entry): Event => {
  // `fooEnd - fooStart` for the phases the entry names that way.
  const span = (phase: string) => ms(n[phase + 'End']! - n[phase + 'Start']!);
  const at = (t: number) => (t > 0 ? ms(t - (n.activationStart || 0)) : undefined);
  return {
    t: 'nav',
    redirect: span('redirect'),
    dns: span('domainLookup'),
    tcp: span('connect'),
    tls: ms(n.secureConnectionStart && n.connectEnd - n.secureConnectionStart),
    ttfb: at(n.responseStart),
    download: span('response'),
    domInteractive: at(n.domInteractive),
    domContentLoaded: at(n.domContentLoadedEventStart),
    load: at(n.loadEventStart),
    transfer: n.transferSize,
  };
};
