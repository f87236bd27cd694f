/**
 * The SDK as an ES module for bundler users: Core Web Vitals, navigation
 * timing, errors, SPA routes, custom events; privacy by default.
 *
 * @module
 * @example
 * ```ts
 * import { init } from 'edge-rum/sdk';
 *
 * const rum = init({ site: 'shop', endpoint: '/rum/collect', release: 'v42' });
 * rum.track('checkout', 129.9);
 * ```
 */
import { onCLS, onFCP, onINP, onLCP, onTTFB } from 'web-vitals';
import { createRum, type OnMetric } from './createRum.ts';
import type { Options, Rum } from './types.ts';

export { normaliseRoute } from './lib/route.ts';
export type { Consent, Options, Rum } from './types.ts';

/** Starts measuring (once per page; later calls return the same API). */
export const init = (options: Options): Rum =>
  createRum(options, [onCLS, onINP, onLCP, onFCP, onTTFB] as OnMetric[]);
