import type { BeaconInput } from '../../worker/schema/beacon.ts';

let counter = 0;
/** A fresh id matching the contract ([A-Za-z0-9_-]{8,64}). */
export function newId(prefix = 'id'): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter.toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

/** A valid beacon; override any part. */
export function makeBeacon(overrides: Partial<BeaconInput> = {}): BeaconInput {
  return {
    v: 1,
    site: 'test',
    sid: newId('sess'),
    bid: newId('bcn'),
    pv: { id: newId('pv'), path: '/products/42', route: '/products/:id', nav: 'navigate' },
    ctx: { ect: '4g', tier: 'high', vw: 1280, vh: 800, dpr: 2 },
    e: [
      { t: 'm', n: 'LCP', v: 1850 },
      { t: 'm', n: 'CLS', v: 0.02 },
      { t: 'nav', ttfb: 120, dns: 4, load: 900 },
    ],
    ...overrides,
  };
}

export const CHROME_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
export const IPHONE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
export const BOT_UA = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
