/**
 * Keeps numbers and strings inside the contract's bounds: one value out of
 * range makes the collector reject the whole beacon, so every number the SDK
 * sends passes through `ms` and every free string through `cut`.
 */
import { scrubUrl } from './scrub.ts';

/** Whole milliseconds in [0, 3,600,000]; NaN and negatives become 0. */
export const ms = (x: number): number => ((x = Math.round(x)) > 0 ? Math.min(x, 3.6e6) : 0);

/** The string cut to `max` UTF-16 units (zod's `max` counts the same units); undefined stays undefined. */
export const cut = (s: string | undefined | null, max: number): string | undefined => (s == null ? undefined : String(s).slice(0, max));

/**
 * A URL without query or fragment, without this page's origin when
 * same-origin, and masked like a page path (an inline script's errors name
 * the page itself as their source).
 */
export const bare = (url: string | undefined): string | undefined =>
  url && scrubUrl(url.replace(location.origin, ''));
