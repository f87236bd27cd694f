/**
 * Pure parts of the SDK: route normalisation, URL scrubbing, query
 * allow-list, device tier, clamping, navigation timing and ids.
 */
import { describe, expect, it } from 'vitest';
import { ms, cut } from '../../sdk/lib/clamp.ts';
import { hex } from '../../sdk/lib/ids.ts';
import { navTiming } from '../../sdk/lib/navTiming.ts';
import { normaliseRoute } from '../../sdk/lib/route.ts';
import { keptQuery, scrubPath, scrubText } from '../../sdk/lib/scrub.ts';
import { Context, NavEvent, PageView } from '../../worker/schema/beacon.ts';
import { deviceTier } from '../../worker/schema/device-tier.ts';

describe('normaliseRoute', () => {
  it.each([
    ['/', '/'],
    ['/product/123', '/product/:id'],
    ['/product/123/', '/product/:id/'],
    ['/order/3f9a2b1c7d/items/42', '/order/:id/items/:id'],
    ['/u/0b7c4b5e-2f5a-4c8e-9d1a-6f3e2b1a0c9d/settings', '/u/:id/settings'],
    ['/blog/2024-recap', '/blog/2024-recap'],
    ['/about', '/about'],
    ['/facade/deadbeef', '/facade/deadbeef'],
    ['/orders/:num', '/orders/:id'],
    ['/v2/items', '/v2/items'],
  ])('%s -> %s', (path, route) => {
    expect(normaliseRoute(path)).toBe(route);
  });
});

describe('scrubPath', () => {
  it('masks e-mail addresses, plain or percent-encoded', () => {
    expect(scrubPath('/u/jane.doe@example.com/profile')).toBe('/u/:email/profile');
    expect(scrubPath('/u/jane%40example.com')).toBe('/u/:email');
  });
  it('masks runs of six or more digits, keeps shorter numbers', () => {
    expect(scrubPath('/call/+4915112345678')).toBe('/call/+:num');
    expect(scrubPath('/product/12345')).toBe('/product/12345');
  });
});

describe('scrubText (error messages and stacks)', () => {
  it('cuts what follows a URL, keeps the rest of the text', () => {
    expect(scrubText('Failed to fetch dynamically imported module: https://x.test/c.js?sig=abc#f')).toBe(
      'Failed to fetch dynamically imported module: https://x.test/c.js',
    );
    expect(scrubText('Minified React error #418; visit https://react.dev/errors/418?args[]=x')).toBe(
      'Minified React error #418; visit https://react.dev/errors/418',
    );
    expect(scrubText('at f (https://x.test/app.js?v=3:10:5)')).toBe('at f (https://x.test/app.js:10:5)');
    expect(scrubText('at Foo.#bar (https://x.test/app.js:1:2)')).toBe('at Foo.#bar (https://x.test/app.js:1:2)');
  });
  it('masks e-mails and path numbers, not line and column numbers', () => {
    expect(scrubText('No user jane.doe+x@example.co.uk')).toBe('No user :email');
    expect(scrubText('at https://x.test/u/jane@example.com/orders/12345678:10:5')).toBe('at https://x.test/u/:email/orders/:num:10:5');
    expect(scrubText('handler@https://x.test/app.js:1:123456')).toBe('handler@https://x.test/app.js:1:123456');
  });
});

describe('keptQuery', () => {
  it('keeps only allow-listed parameters, utm_* by prefix', () => {
    expect(keptQuery('?utm_source=news&token=secret&utm_medium=mail', ['utm_*'])).toBe('utm_source=news&utm_medium=mail');
    expect(keptQuery('?ref=x&refresh=1', ['ref'])).toBe('ref=x');
    expect(keptQuery('?token=secret', ['utm_*'])).toBe('');
    expect(keptQuery('', ['utm_*'])).toBe('');
  });
  it('masks e-mail addresses in kept values', () => {
    expect(keptQuery('?utm_term=jane@example.com', ['utm_*'])).toBe(':email');
  });
});

describe('deviceTier', () => {
  it.each([
    [undefined, undefined, undefined],
    [2, 8, 'low'],
    [8, 2, 'low'],
    [4, 4, 'mid'],
    [8, 8, 'high'],
    [undefined, 12, 'high'],
    [4, undefined, 'mid'],
  ] as const)('memory %s, cores %s -> %s', (memory, cores, tier) => {
    expect(deviceTier(memory, cores)).toBe(tier);
  });
});

describe('the collector derives what the script leaves out', () => {
  it('maps mem and cores to a tier, and keeps a tier sent as such', () => {
    expect(Context.parse({ mem: 8, cores: 12, vw: 1 })).toEqual({ tier: 'high', vw: 1 });
    expect(Context.parse({ mem: 1 })).toEqual({ tier: 'low' });
    expect(Context.parse({ tier: 'mid', mem: 8, cores: 8 })).toEqual({ tier: 'mid' });
    expect(Context.parse({}).tier).toBeUndefined();
  });
  it('normalises the path when no route came with the page view, and fixes the slash of one that did', () => {
    expect(PageView.parse({ id: 'a'.repeat(16), path: '/order/3f9a2b1c7d/items/42' }).route).toBe('/order/:id/items/:id');
    expect(PageView.parse({ id: 'a'.repeat(16), path: '/p/42', route: 'p/:slug' }).route).toBe('/p/:slug');
    expect(PageView.parse({ id: 'a'.repeat(16), path: '/' + '1/'.repeat(200) }).route).toHaveLength(256);
  });
});

describe('clamping', () => {
  it('keeps milliseconds whole and inside the contract', () => {
    expect(ms(12.6)).toBe(13);
    expect(ms(-5)).toBe(0);
    expect(ms(Number.NaN)).toBe(0);
    expect(ms(9e9)).toBe(3_600_000);
  });
  it('cuts strings and leaves absent ones absent', () => {
    expect(cut('abcdef', 3)).toBe('abc');
    expect(cut(undefined, 3)).toBeUndefined();
  });
});

describe('hex', () => {
  it('gives ids the contract accepts and trace ids of 32 hex digits', () => {
    const id = hex(16);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(hex(8)).toMatch(/^[0-9a-f]{16}$/);
    expect(new Set(Array.from({ length: 100 }, () => hex(16))).size).toBe(100);
  });
});

describe('navTiming', () => {
  const entry = {
    activationStart: 0,
    redirectStart: 0,
    redirectEnd: 0,
    domainLookupStart: 10,
    domainLookupEnd: 30,
    connectStart: 30,
    secureConnectionStart: 40,
    connectEnd: 70,
    responseStart: 120.4,
    responseEnd: 180,
    domInteractive: 300,
    domContentLoadedEventStart: 320,
    loadEventStart: 0,
    transferSize: 5120,
  } as unknown as Parameters<typeof navTiming>[0];

  it('breaks the navigation into phases the contract accepts', () => {
    const event = navTiming(entry);
    expect(event).toEqual({
      t: 'nav',
      redirect: 0,
      dns: 20,
      tcp: 40,
      tls: 30,
      ttfb: 120,
      download: 60,
      domInteractive: 300,
      domContentLoaded: 320,
      load: undefined,
      transfer: 5120,
    });
    expect(NavEvent.safeParse(event).success).toBe(true);
  });

  it('counts points in time from activation for prerendered pages', () => {
    const event = navTiming({ ...entry, activationStart: 250 } as typeof entry);
    expect(event).toMatchObject({ ttfb: 0, domInteractive: 50, domContentLoaded: 70 });
  });
});
