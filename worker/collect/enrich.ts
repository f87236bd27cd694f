/**
 * Coarse, non-identifying context added by the Worker: where (country,
 * continent, data centre) and on what (browser family and major version, OS,
 * device class). Nothing finer than a country is kept.
 */
import Bowser from 'bowser';
import type { Agent, Geo } from '../schema/enriched.ts';
import { continentOf } from './continents.ts';

const COUNTRY = /^[A-Z][A-Z0-9]$/;

/** Geo from `CF-IPCountry`, else `request.cf`, else `XX`. */
export function geoOf(request: Request): Geo {
  const cf = (request as { cf?: IncomingRequestCfProperties }).cf;
  const header = request.headers.get('CF-IPCountry')?.trim().toUpperCase();
  const fromCf = typeof cf?.country === 'string' ? cf.country.toUpperCase() : undefined;
  const country = header && COUNTRY.test(header) ? header : fromCf && COUNTRY.test(fromCf) ? fromCf : 'XX';
  const cfContinent = typeof cf?.continent === 'string' && !header ? cf.continent : undefined;
  const continent = cfContinent && /^[A-Z]{2}$/.test(cfContinent) ? cfContinent : continentOf(country);
  return { country, continent, colo: coloOf(request, cf) };
}

function coloOf(request: Request, cf: IncomingRequestCfProperties | undefined): string {
  if (typeof cf?.colo === 'string' && /^[A-Z]{3}$/.test(cf.colo)) return cf.colo;
  // CF-Ray is "<id>-<COLO>" on every request Cloudflare proxies.
  const ray = request.headers.get('CF-Ray')?.match(/-([A-Z]{3})$/);
  return ray ? ray[1]! : 'XX';
}

const DEVICES = new Set(['desktop', 'mobile', 'tablet', 'tv']);
const clip = (value: string | undefined, max = 32) => (value ? value.slice(0, max) : 'Other');

/** Browser, major version, OS and device class from the User-Agent. */
export function agentOf(userAgent: string): Agent {
  if (!userAgent) return { browser: 'Other', browserVersion: 0, os: 'Other', device: 'other' };
  const parsed = Bowser.parse(userAgent.slice(0, 512));
  const major = Number.parseInt(parsed.browser.version ?? '', 10);
  const platform = parsed.platform.type ?? '';
  return {
    browser: clip(parsed.browser.name),
    browserVersion: Number.isFinite(major) && major >= 0 && major < 10_000 ? major : 0,
    os: clip(parsed.os.name),
    device: DEVICES.has(platform) ? platform : 'other',
  };
}
