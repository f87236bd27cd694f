/**
 * The attribution build as an ES module: the same API as `edge-rum/sdk`, and
 * every LCP, INP and CLS value carries what caused it (element, subparts or
 * phases, longest script, largest shift). About 1.9 KB more brotli.
 *
 * @module
 * @example
 * ```ts
 * import { init } from 'edge-rum/sdk/attribution';
 *
 * init({ site: 'shop', endpoint: '/rum/collect' });
 * ```
 */
// Per-metric modules. LCP, INP and CLS come with attribution; FCP and TTFB
// without, since the contract carries no attribution for them and their
// attribution code would be bytes and work for nothing (234 bytes brotli).
import { onCLS } from 'web-vitals/attribution/onCLS.js';
import { onFCP } from 'web-vitals/onFCP.js';
import { onINP } from 'web-vitals/attribution/onINP.js';
import { onLCP } from 'web-vitals/attribution/onLCP.js';
import { onTTFB } from 'web-vitals/onTTFB.js';
import { createRum, type Attribute, type OnMetric } from './createRum.ts';
import { attribute } from './lib/attribute.ts';
import type { Options, Rum } from './types.ts';

export { normaliseRoute } from './lib/route.ts';
export type { Consent, Options, Rum } from './types.ts';

/** Starts measuring with attribution (once per page; later calls return the same API). */
export const init = (options: Options): Rum =>
  createRum(options, [onCLS, onINP, onLCP, onFCP, onTTFB] as OnMetric[], attribute as Attribute);
