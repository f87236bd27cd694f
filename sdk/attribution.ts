/**
 * The attribution build as an ES module: the same API as `edge-rum/sdk`, and
 * every LCP, INP and CLS value carries what caused it (element, subparts or
 * phases, longest script, largest shift). About 2.5 KB more brotli.
 *
 * @module
 * @example
 * ```ts
 * import { init } from 'edge-rum/sdk/attribution';
 *
 * init({ site: 'shop', endpoint: '/rum/collect' });
 * ```
 */
import { onCLS, onFCP, onINP, onLCP, onTTFB } from 'web-vitals/attribution';
import { createRum, type Attribute, type OnMetric } from './createRum.ts';
import { attribute } from './lib/attribute.ts';
import type { Options, Rum } from './types.ts';

export type { Consent, Options, Rum } from './types.ts';

/** Starts measuring with attribution (once per page; later calls return the same API). */
export const init = (options: Options): Rum =>
  createRum(options, [onCLS, onINP, onLCP, onFCP, onTTFB] as OnMetric[], attribute as Attribute);
