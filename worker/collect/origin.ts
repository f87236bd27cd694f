/**
 * Origin policy for `/collect`: the site's own origin is always allowed, as
 * are the exact serialized origins listed in `ALLOWED_ORIGINS`. A request
 * without an Origin header (some same-origin beacons, server-side senders) is
 * allowed too; browsers always send Origin on cross-origin POSTs, so the
 * allow-list still binds every cross-origin browser.
 */
import { parseList } from './config.ts';

/** Parses `ALLOWED_ORIGINS` (comma or whitespace separated) into a set. */
export function parseAllowedOrigins(value: string | undefined): Set<string> {
  return new Set(parseList(value));
}

export function originAllowed(origin: string | null, requestUrl: string, allowed: Set<string>): boolean {
  if (origin === null) return true;
  if (origin === new URL(requestUrl).origin) return true;
  return allowed.has(origin);
}

/** CORS headers for an allowed cross-origin caller. */
export function corsHeaders(origin: string): Record<string, string> {
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Methods': 'POST, OPTIONS',
    'Access-Control-Allow-Headers': 'Content-Type',
    'Access-Control-Max-Age': '86400',
    Vary: 'Origin',
  };
}
