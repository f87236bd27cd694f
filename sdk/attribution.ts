/**
 * The attribution build as an ES module: the same API as `edge-rum/sdk`, and
 * every LCP, INP and CLS value carries what caused it (element, subparts or
 * phases, longest script, largest shift). About 2.3 KB more brotli.
 *
 * @module
 * @example
 * ```ts
 * import { init } from 'edge-rum/sdk/attribution';
 *
 * init({ site: 'shop', endpoint: '/rum/collect' });
 * ```
 */
// Per-metric modules: esbuild minifies web-vitals' sources with ours, which
// is smaller here than its pre-minified attribution bundle (not so for the
// core build, measured with `npx tsx bench/sdk.ts`).
import { onCLS } from 'web-vitals/attribution/onCLS.js';
import { onFCP } from 'web-vitals/attribution/onFCP.js';
import { onINP } from 'web-vitals/attribution/onINP.js';
import { onLCP } from 'web-vitals/attribution/onLCP.js';
import { onTTFB } from 'web-vitals/attribution/onTTFB.js';
import { createRum, type Attribute, type OnMetric } from './createRum.ts';
import { attribute } from './lib/attribute.ts';
import type { Options, Rum } from './types.ts';

export { normaliseRoute } from './lib/route.ts';
export type { Consent, Options, Rum } from './types.ts';

/** Starts measuring with attribution (once per page; later calls return the same API). */
export const init = (options: Options): Rum =>
  createRum(options, [onCLS, onINP, onLCP, onFCP, onTTFB] as OnMetric[], attribute as Attribute);
