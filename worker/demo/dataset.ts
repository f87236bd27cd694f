/**
 * A realistic demo data set: several routes, countries, devices and browsers
 * with diurnal traffic, generated deterministically per UTC day so the same
 * day always yields the same beacons (and reloading it stores nothing twice).
 */
import type { EnrichedBeacon, WeightedEvent } from '../schema/enriched.ts';
import { continentOf } from '../collect/continents.ts';
import { DAY, HOUR } from '../digest/types.ts';
import { mulberry32 } from './random.ts';

type Pick<T> = readonly (readonly [T, number])[];

const ROUTES: Pick<{ route: string; path: (n: number) => string; lcp: number; inp: number; ttfb: number }> = [
  [{ route: '/', path: () => '/', lcp: 1100, inp: 90, ttfb: 250 }, 30],
  [{ route: '/products/:id', path: (n) => `/products/${1000 + (n % 400)}`, lcp: 1700, inp: 140, ttfb: 380 }, 30],
  [{ route: '/search', path: () => '/search', lcp: 1500, inp: 260, ttfb: 420 }, 15],
  [{ route: '/blog/:slug', path: (n) => `/blog/post-${n % 60}`, lcp: 1300, inp: 70, ttfb: 300 }, 15],
  [{ route: '/checkout', path: () => '/checkout', lcp: 2000, inp: 180, ttfb: 900 }, 10],
];
/** Country with a network factor (latency multiplier). */
const COUNTRIES: Pick<[string, number]> = [
  [['US', 1], 28], [['DE', 0.9], 12], [['GB', 0.9], 9], [['IN', 1.8], 12], [['BR', 1.5], 8],
  [['JP', 0.8], 6], [['FR', 0.95], 6], [['AU', 1.3], 5], [['NG', 2.2], 4], [['CA', 1], 5], [['ID', 1.7], 5],
];
const DEVICES: Pick<[string, number]> = [[['desktop', 1], 55], [['mobile', 1.45], 40], [['tablet', 1.2], 5]];
const BROWSERS: Pick<[string, string]> = [
  [['Chrome', 'Windows'], 40], [['Safari', 'iOS'], 22], [['Chrome', 'Android'], 18], [['Firefox', 'Windows'], 6],
  [['Microsoft Edge', 'Windows'], 8], [['Samsung Internet for Android', 'Android'], 6],
];
const CONNECTIONS: Pick<'4g' | '3g' | '2g'> = [['4g', 85], ['3g', 12], ['2g', 3]];
const ERRORS = [
  { msg: "TypeError: Cannot read properties of undefined (reading 'price')", stack: 'TypeError: x\n    at renderPrice (https://shop.example/assets/app.4f2a91c0.js:1:2048)\n    at render (https://shop.example/assets/app.4f2a91c0.js:1:999)', route: '/products/:id', rate: 0.02 },
  { msg: 'Failed to fetch', stack: 'TypeError: Failed to fetch\n    at search (https://shop.example/assets/search.77aa01bd.js:3:120)', route: '/search', rate: 0.03 },
  { msg: 'ResizeObserver loop completed with undelivered notifications.', stack: undefined, route: '/', rate: 0.01 },
];

function choose<T>(random: () => number, options: Pick<T>): T {
  const total = options.reduce((sum, [, w]) => sum + w, 0);
  let r = random() * total;
  for (const [value, weight] of options) if ((r -= weight) < 0) return value;
  return options[options.length - 1]![0];
}

/** Lognormal with the given median and sigma. */
function lognormal(random: () => number, median: number, sigma: number): number {
  const u = Math.max(random(), 1e-12);
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  return median * Math.exp(sigma * z);
}

const round = (value: number, step = 1) => Math.round(value / step) * step;

/** Beacons of one UTC day (`day` = epoch ms of midnight), about `perDay` page views. */
export function demoDay(site: string, day: number, perDay = 300): EnrichedBeacon[] {
  const random = mulberry32(Math.floor(day / DAY) * 7919 + site.length);
  const beacons: EnrichedBeacon[] = [];
  const dayIndex = Math.floor(day / DAY);
  // A regression on /checkout in the last week makes the charts tell a story.
  const regression = (route: string, ts: number) => (route === '/checkout' && ts > Date.now() - 7 * DAY ? 1.6 : 1);
  for (let i = 0; i < perDay; i++) {
    // Diurnal traffic: more views in the (UTC) afternoon.
    let hour = Math.floor(random() * 24);
    if (random() < 0.4) hour = 12 + Math.floor(random() * 8);
    const ts = day + hour * HOUR + Math.floor(random() * HOUR);
    if (ts > Date.now()) continue;
    const route = choose(random, ROUTES);
    const [country, net] = choose(random, COUNTRIES);
    const [device, slow] = choose(random, DEVICES);
    const [browser, os] = device === 'desktop' ? choose(random, BROWSERS.filter(([[, o]]) => o === 'Windows')) : choose(random, BROWSERS.filter(([[, o]]) => o !== 'Windows'));
    const ect = choose(random, CONNECTIONS);
    const f = net * slow * (ect === '4g' ? 1 : ect === '3g' ? 1.6 : 2.5) * regression(route.route, ts);
    const id = `demo${dayIndex.toString(36)}x${i.toString(36)}`.padEnd(12, '0');
    const ttfb = round(lognormal(random, route.ttfb * f, 0.5));
    const fcp = round(ttfb + lognormal(random, 600 * f, 0.45));
    const events: WeightedEvent[] = [
      { t: 'm', n: 'TTFB', v: ttfb, w: 1 },
      { t: 'm', n: 'FCP', v: fcp, w: 1 },
      { t: 'm', n: 'LCP', v: Math.max(fcp, round(lognormal(random, route.lcp * f, 0.55))), w: 1 },
      { t: 'm', n: 'CLS', v: random() < 0.55 ? 0 : Math.round(lognormal(random, 0.06, 1.1) * 1000) / 1000, w: 1 },
      { t: 'nav', ttfb, dns: round(random() * 30 * net), tcp: round(random() * 40 * net), load: round(fcp * 1.8), w: 1 },
    ];
    if (random() < 0.7) events.push({ t: 'm', n: 'INP', v: Math.max(8, round(lognormal(random, route.inp * slow, 0.7), 8)), w: 1 });
    for (const error of ERRORS) {
      if (error.route === route.route && random() < error.rate * f) {
        events.push({ t: 'err', k: 'error', msg: error.msg, ...(error.stack ? { stack: error.stack } : {}), c: 1, w: 1 });
      }
    }
    const path = route.path(Math.floor(random() * 10_000));
    beacons.push({
      v: 1,
      bid: `${id}b`,
      site,
      session: `demo-session-${dayIndex}-${Math.floor(i / 3)}`,
      ts,
      pv: { id: `${id}p`, path, route: route.route, nav: 'navigate' },
      pvWeight: 1,
      ctx: { ect, tier: device === 'desktop' ? 'high' : 'mid' },
      geo: { country, continent: continentOf(country), colo: 'DEMO' },
      agent: { browser, browserVersion: browser === 'Safari' ? 18 : 142, os, device },
      ipPrefix: null,
      events,
    });
  }
  return beacons;
}
