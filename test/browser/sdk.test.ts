/**
 * The SDK in headless Chromium against the local Worker: one fixture page per
 * scenario (test/browser/fixtures/NN_name.html, each with its own site key),
 * and every assertion is on what the collector stored in D1, or on what
 * reached `/rum/collect` at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.ts';
import { hide, interact, ratingOf, settle, shifted, show } from './helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

interface MetricRow {
  metric: string;
  value: number;
  rating: string;
  attribution: string | null;
  path: string;
  route: string;
  nav: string;
  page_view_id: string;
}

const METRICS_SQL = `SELECT m.metric, m.value, m.rating, m.attribution, m.page_view_id, p.path, p.route, p.nav
  FROM metric_events m JOIN page_views p ON p.id = m.page_view_id WHERE m.site = ?`;

/** Metric rows of a site, polled until every named metric is there. */
const metrics = (site: string, names: string[], where = (_r: MetricRow) => true) =>
  h.waitForRows<MetricRow>(METRICS_SQL, [site], (rows) => names.every((n) => rows.some((r) => r.metric === n && where(r))));

const byMetric = (rows: MetricRow[]) => Object.fromEntries(rows.map((r) => [r.metric, r]));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ratings', () => {
  it('stores each metric with the rating its value earns: good and poor', async () => {
    const page = await h.page();
    await page.goto(h.url('/01_ratings.html?work=600&shift=700'));
    await settle(page);
    await shifted(page);
    await interact(page, '#work');
    await hide(page);
    const rows = byMetric(await metrics('f01', ['LCP', 'CLS', 'INP', 'FCP', 'TTFB'], (r) => r.path === '/01_ratings.html'));
    for (const row of Object.values(rows)) expect(row.rating).toBe(ratingOf(row.metric, row.value));
    expect(rows.LCP!.rating).toBe('good');
    expect(rows.FCP!.rating).toBe('good');
    expect(rows.TTFB!.rating).toBe('good');
    expect(rows.CLS!.rating).toBe('poor');
    expect(rows.INP!.rating).toBe('poor');
    await page.close();
  });

  it('and needs-improvement / poor on a slow response', async () => {
    const page = await h.page();
    await page.goto(h.url('/slow/2000/01_ratings.html?work=300&shift=200'));
    await settle(page);
    await shifted(page);
    await interact(page, '#work');
    await hide(page);
    const rows = byMetric(
      await metrics('f01', ['LCP', 'CLS', 'INP', 'FCP', 'TTFB'], (r) => r.path === '/slow/2000/01_ratings.html'),
    );
    for (const row of Object.values(rows)) expect(row.rating).toBe(ratingOf(row.metric, row.value));
    expect(rows.TTFB!.rating).toBe('poor');
    expect(rows.FCP!.rating).toBe('needs-improvement');
    expect(rows.CLS!.rating).toBe('needs-improvement');
    expect(rows.INP!.rating).toBe('needs-improvement');
    await page.close();
  });

  it('also stores navigation timing and device context with the page view', async () => {
    const [nav] = await h.waitForRows<Record<string, number | null>>(
      `SELECT n.* FROM nav_timings n WHERE n.site = 'f01' AND n.route = '/01_ratings.html'`,
      [],
      (r) => r.length > 0,
    );
    expect(nav!.ttfb).toBeGreaterThanOrEqual(0);
    expect(nav!.dom_content_loaded).toBeGreaterThan(0);
    expect(nav!.load).toBeGreaterThan(0);
    expect(nav!.transfer).toBeGreaterThan(0);
    const [pv] = await h.query<{ tier: string; connection: string; nav: string }>(
      `SELECT tier, connection, nav FROM page_views WHERE site = 'f01' AND path = '/01_ratings.html'`,
    );
    expect(pv).toMatchObject({ nav: 'navigate' });
    expect(['low', 'mid', 'high']).toContain(pv!.tier);
  });
});

describe('LCP, CLS and INP are delivered', () => {
  it('when the tab closes right after load', async () => {
    const page = await h.page();
    await page.goto(h.url('/02_close.html'));
    await settle(page, 500);
    await interact(page, '#work');
    await page.close();
    await metrics('f02', ['LCP', 'CLS', 'INP']);
  });

  it('when navigating away', async () => {
    const page = await h.page();
    await page.goto(h.url('/03_away.html'));
    await settle(page, 500);
    await interact(page, '#work');
    await page.goto(h.url('/00_blank.html'));
    await metrics('f03', ['LCP', 'CLS', 'INP']);
    await page.close();
  });

  it('when hidden (the page still open)', async () => {
    const page = await h.page();
    await page.goto(h.url('/04_hidden.html'));
    await settle(page, 500);
    await interact(page, '#work');
    await hide(page);
    await metrics('f04', ['LCP', 'CLS', 'INP']);
    expect(page.isClosed()).toBe(false);
    await page.close();
  });
});

it('a prerendered page is measured from its activation', async () => {
  // 20_prerender_from.html prerenders 20_prerender.html (speculation rules)
  // and navigates to it 2.5 s later; the page leaves a second after it is shown.
  const browser = h.undriven('/20_prerender_from.html');
  try {
    const rows = await metrics('f20', ['FCP', 'TTFB', 'LCP'], (r) => r.path === '/20_prerender.html');
    const m = byMetric(rows);
    expect(m.FCP!.nav).toBe('prerender');
    // Counted from navigation start, both would be over the 2.5 s the page
    // waited prerendered; counted from activation they are short.
    expect(m.TTFB!.value).toBe(0);
    expect(m.FCP!.value).toBeLessThan(1_500);
    expect(m.LCP!.value).toBeLessThan(1_500);
    const [nav] = await h.waitForRows<{ ttfb: number; dom_content_loaded: number }>(
      `SELECT ttfb, dom_content_loaded FROM nav_timings WHERE site = 'f20'`,
      [],
      (r) => r.length > 0,
    );
    expect(nav).toMatchObject({ ttfb: 0, dom_content_loaded: 0 });
  } finally {
    browser.close();
  }
});

it('CLS that grows after the page was hidden is sent again as an update, and stored once', async () => {
  const page = await h.page();
  await page.goto(h.url('/21_rereport.html'));
  await settle(page, 600);
  await shifted(page);
  await hide(page);
  const cls = () =>
    h.query<{ value: number; n: number }>(
      `SELECT MAX(value) AS value, COUNT(*) AS n FROM metric_events WHERE site = 'f21' AND metric = 'CLS'`,
    );
  const [first] = await h.waitForRows<{ value: number; n: number }>(
    `SELECT MAX(value) AS value, COUNT(*) AS n FROM metric_events WHERE site = 'f21' AND metric = 'CLS'`,
    [],
    (r) => r[0]!.n > 0,
  );
  await show(page);
  await page.evaluate(() => (window as unknown as { shiftBy(px: number): void }).shiftBy(500));
  await shifted(page, 2);
  await hide(page);
  await h.waitForRows(`SELECT value FROM metric_events WHERE site = 'f21' AND metric = 'CLS' AND value > ?`, [first!.value], (r) => r.length > 0);
  const [after] = await cls();
  expect(after).toMatchObject({ n: 1 });
  expect(after!.value).toBeGreaterThan(first!.value);
  const updates = h.collected('f21').filter((r) => /"n":"CLS"[^}]*"u":1/.test(r.body));
  expect(updates).toHaveLength(1);
  await page.close();
});

it('a back/forward-cache restore is a new page view with its own vitals', async () => {
  const page = await h.page();
  await page.goto(h.url('/05_bfcache.html'));
  await settle(page, 500);
  await interact(page, '#work');
  await page.evaluate(() => addEventListener('pageshow', (e) => ((window as { restored?: boolean }).restored = e.persisted)));
  await page.goto(h.url('/00_blank.html'));
  // A restore from the cache fires no `load`.
  await page.goBack({ waitUntil: 'commit' });
  await page.waitForFunction(() => (window as { restored?: boolean }).restored === true);
  await page.waitForTimeout(300);
  await interact(page, '#work');
  await hide(page);
  const rows = await metrics('f05', ['LCP', 'INP'], (r) => r.nav === 'back-forward-cache');
  const views = new Set(rows.map((r) => r.page_view_id));
  expect(views.size).toBe(2);
  const landing = rows.filter((r) => r.nav === 'navigate').map((r) => r.metric);
  expect(landing).toEqual(expect.arrayContaining(['LCP', 'INP', 'CLS', 'FCP', 'TTFB']));
  // The restore's TTFB (0, reported while the restore starts) is its own, not the landing's.
  expect(rows.filter((r) => r.nav === 'back-forward-cache').map((r) => r.metric)).toContain('TTFB');
  expect(landing.filter((m) => m === 'TTFB')).toHaveLength(1);
  await page.close();
});

describe('SPA route changes', () => {
  /** Landing, a product page (which shifts, and gets a slow click), then the cart; hidden at the end. */
  const journey = async (mode: string, features?: string) => {
    const page = await h.page({ features });
    await page.goto(h.url(`/${mode}/06_spa.html`));
    await settle(page, 400);
    await page.click('#to-product');
    await shifted(page); // the product page shifts 700 ms after rendering
    await interact(page, '#work');
    await page.click('#to-cart');
    await page.waitForTimeout(500);
    await hide(page);
    return page;
  };
  const routeMetrics = (rows: MetricRow[], route: string) => byMetric(rows.filter((r) => r.route === route));

  it('give one page view per route, each with its own vitals (heuristic, no soft-navigation support)', async () => {
    const page = await journey('heuristic');
    const rows = await h.waitForRows<MetricRow>(METRICS_SQL, ['f06'], (r) => {
      const product = routeMetrics(r, '/heuristic/spa/product/:id');
      return Boolean(product.CLS && product.INP && routeMetrics(r, '/heuristic/spa/cart').CLS);
    });
    const views = await h.query<{ route: string; nav: string; path: string }>(
      `SELECT route, nav, path FROM page_views WHERE site = 'f06' AND path LIKE '/heuristic/%' ORDER BY ts`,
    );
    expect(views.map((v) => [v.route, v.nav])).toEqual([
      ['/heuristic/06_spa.html', 'navigate'],
      ['/heuristic/spa/product/:id', 'soft-navigation'],
      ['/heuristic/spa/cart', 'soft-navigation'],
    ]);
    expect(views[1]!.path).toBe('/heuristic/spa/product/123');
    const landing = routeMetrics(rows, '/heuristic/06_spa.html');
    const product = routeMetrics(rows, '/heuristic/spa/product/:id');
    expect(Object.keys(landing)).toEqual(expect.arrayContaining(['LCP', 'FCP', 'TTFB']));
    expect(product.CLS!.value).toBeGreaterThan(0.05);
    expect(product.INP!.value).toBeGreaterThanOrEqual(300);
    expect(routeMetrics(rows, '/heuristic/spa/cart').CLS!.value).toBe(0);
    await page.close();
  });

  it('a soft navigation that changes only the query is a page view of its own, and leaves the landing its vitals', async () => {
    const page = await h.page({ features: 'SoftNavigationHeuristics' });
    await page.goto(h.url('/softq/06_spa.html'));
    await settle(page, 400);
    await hide(page); // the landing's values go out first
    const [landingFcp] = await h.waitForRows<MetricRow>(
      `${METRICS_SQL} AND p.path = '/softq/06_spa.html' AND m.metric = 'FCP'`,
      ['f06'],
      (r) => r.length > 0,
    );
    await show(page);
    await page.click('#filter');
    await page.waitForTimeout(800);
    await hide(page);
    // The query-only navigation's own FCP and TTFB land on a page view of its own...
    const rows = await h.waitForRows<MetricRow>(METRICS_SQL, ['f06'], (r) =>
      ['FCP', 'TTFB'].every((n) => r.some((x) => x.path === '/softq/06_spa.html' && x.nav === 'soft-navigation' && x.metric === n)),
    );
    const views = await h.query<{ id: string; nav: string }>(`SELECT id, nav FROM page_views WHERE site = 'f06' AND path = '/softq/06_spa.html' ORDER BY ts`);
    expect(views.map((v) => v.nav)).toEqual(['navigate', 'soft-navigation']);
    // ...and the landing keeps its own.
    expect(rows.filter((r) => r.page_view_id === views[0]!.id && r.metric === 'FCP')).toEqual([landingFcp]);
    await page.close();
  });

  it('give per-route vitals from web-vitals soft navigations where the browser reports them', async () => {
    const page = await journey('soft', 'SoftNavigationHeuristics');
    const rows = await h.waitForRows<MetricRow>(METRICS_SQL, ['f06'], (r) => {
      const product = routeMetrics(r, '/soft/spa/product/:id');
      return ['LCP', 'FCP', 'TTFB', 'CLS', 'INP'].every((n) => product[n]);
    });
    const product = routeMetrics(rows, '/soft/spa/product/:id');
    expect(product.CLS!.value).toBeGreaterThan(0.05);
    expect(product.INP!.value).toBeGreaterThanOrEqual(300);
    expect(product.LCP!.nav).toBe('soft-navigation');
    const views = await h.query<{ route: string }>(`SELECT route FROM page_views WHERE site = 'f06' AND path LIKE '/soft/%' ORDER BY ts`);
    expect(views.map((v) => v.route)).toEqual(['/soft/06_spa.html', '/soft/spa/product/:id', '/soft/spa/cart']);
    await page.close();
  });
});

describe('consent', () => {
  it('denied sends nothing at all', async () => {
    const page = await h.page();
    await page.goto(h.url('/07_consent_denied.html'));
    await settle(page, 500);
    await interact(page, '#work');
    await hide(page);
    await page.close();
    await sleep(2_500);
    expect(h.collected('f07')).toEqual([]);
    expect(await h.query(`SELECT id FROM page_views WHERE site = 'f07'`)).toEqual([]);
  });

  it('pending buffers, and granted sends what was buffered', async () => {
    const page = await h.page();
    await page.goto(h.url('/08_consent_pending.html'));
    await settle(page, 1_000);
    expect(h.collected('f08')).toEqual([]);
    await page.click('#accept');
    const [error] = await h.waitForRows<{ message: string }>(`SELECT message FROM errors WHERE site = 'f08'`, [], (r) => r.length > 0);
    expect(error!.message).toContain('error before consent');
    await metrics('f08', ['FCP', 'TTFB']);
    await h.waitForRows(`SELECT id FROM nav_timings WHERE site = 'f08'`, [], (r) => r.length > 0);
    // The pending buffer is capped at 1,000 events per view: the first ones are kept, in order.
    const sql = `SELECT COUNT(*) AS n, MIN(value) AS first, MAX(value) AS last FROM custom_events WHERE site = 'f08' AND name LIKE 'pending-%'`;
    await h.waitForRows<{ n: number }>(sql, [], (r) => (r[0]?.n ?? 0) >= 990);
    await settle(page, 2_000); // let any further beacon land before counting
    const [custom] = await h.query<{ n: number; first: number; last: number }>(sql);
    const sent = h.collected('f08').map((r) => r.body).join('\n').match(/"name":"pending-/g)?.length;
    expect(custom).toMatchObject({ first: 0, n: sent });
    expect(custom!.n).toBeLessThan(1_000);
    expect(custom!.last).toBeLessThan(1_000);
    await page.close();
  });
});

it('sends paths only: query strings (but utm_*), fragments, e-mails and long numbers never leave the page', async () => {
  const page = await h.page();
  await page.goto(h.url('/u/jane.doe@example.com/orders/12345678/09_privacy.html?utm_source=news&token=s3cret#account'));
  await settle(page, 300);
  await hide(page);
  const [view] = await h.waitForRows<{ path: string; route: string }>(
    `SELECT path, route FROM page_views WHERE site = 'f09'`,
    [],
    (r) => r.length > 0,
  );
  expect(view).toEqual({ path: '/u/:email/orders/:num/09_privacy.html', route: '/u/:email/orders/:id/09_privacy.html' });
  const sent = h.collected('f09').map((r) => r.body).join('\n');
  expect(sent).toContain('"q":"utm_source=news"');
  // The page's own errors were sent too, with its URL masked in their source and stack.
  const errors = await h.waitForRows<{ message: string; source: string | null }>(
    `SELECT message, source FROM errors WHERE site = 'f09' ORDER BY message`,
    [],
    (r) => r.length === 2,
  );
  expect(errors.map((e) => e.message)).toEqual(['Failed to fetch https://cdn.test/chunk.js', 'Uncaught Error: render failed for :email']);
  expect(errors.map((e) => e.source)).toContain('/u/:email/orders/:num/09_privacy.html');
  for (const secret of ['s3cret', 'token', 'jane', 'example.com', '12345678', '#account', 'account']) expect(sent).not.toContain(secret);
  await page.close();
});

it('the same error thrown from two pages forms one group', async () => {
  const page = await h.page();
  await page.goto(h.url('/10_error_a.html'));
  await settle(page, 500);
  await page.goto(h.url('/11_error_b.html'));
  await settle(page, 200);
  await page.click('#boom');
  await hide(page);
  const rows = await h.waitForRows<{ path: string; fingerprint: string; count: number; message: string; source: string }>(
    `SELECT path, fingerprint, count, message, source FROM errors WHERE site = 'f10' ORDER BY path`,
    [],
    (r) => r.length >= 2,
  );
  expect(rows.map((r) => [r.path, r.count])).toEqual([
    ['/10_error_a.html', 3],
    ['/11_error_b.html', 1],
  ]);
  expect(rows[0]!.fingerprint).toBe(rows[1]!.fingerprint);
  expect(rows[0]!.message).toMatch(/Cannot read properties of undefined/);
  expect(rows[0]!.source).toBe('/shared/boom.js');
  await page.close();
});

it('a page view over 60,000 bytes is split into requests of at most 60,000 bytes, and all of it arrives', async () => {
  const page = await h.page();
  await page.goto(h.url('/12_split.html'));
  await settle(page, 500);
  await hide(page);
  const rows = await h.waitForRows(`SELECT message FROM errors WHERE site = 'f12'`, [], (r) => r.length >= 20);
  expect(rows).toHaveLength(20);
  const requests = h.collected('f12');
  expect(requests.length).toBeGreaterThanOrEqual(2);
  expect(requests.every((r) => r.bytes <= 60_000 && r.status === 202)).toBe(true);
  expect(requests.reduce((sum, r) => sum + r.bytes, 0)).toBeGreaterThan(60_000);
  await page.close();
});

it('a failed fetch is retried while the page lives', async () => {
  h.failFetches('f19', 1);
  const page = await h.page();
  await page.goto(h.url('/19_retry.html'));
  await settle(page, 500);
  await hide(page);
  const rows = await h.waitForRows(`SELECT message FROM errors WHERE site = 'f19'`, [], (r) => r.length >= 20);
  expect(rows).toHaveLength(20);
  const statuses = h.collected('f19').map((r) => r.status);
  expect(statuses).toContain(503);
  expect(statuses.filter((s) => s === 202).length).toBeGreaterThanOrEqual(2);
  await page.close();
});

it('sample rate 0 sends nothing', async () => {
  const page = await h.page();
  await page.goto(h.url('/13_sample_zero.html'));
  await settle(page, 500);
  await interact(page, '#work');
  await hide(page);
  await page.close();
  await sleep(2_000);
  expect(h.collected('f13')).toEqual([]);
});

it('the attribution build says what caused LCP, INP and CLS', async () => {
  const page = await h.page();
  await page.goto(h.url('/14_attribution.html?work=300&shift=300'));
  await settle(page);
  await shifted(page);
  await interact(page, '#work', { frames: true });
  await hide(page);
  const rows = byMetric(await metrics('f14', ['LCP', 'INP', 'CLS'], (r) => r.attribution !== null));
  const lcp = JSON.parse(rows.LCP!.attribution!);
  const inp = JSON.parse(rows.INP!.attribution!);
  const cls = JSON.parse(rows.CLS!.attribution!);
  expect(lcp.el).toMatch(/hero/);
  expect(lcp).toHaveProperty('ttfb');
  expect(lcp).toHaveProperty('erd');
  expect(inp).toMatchObject({ el: expect.stringMatching(/work/), ev: 'pointer' });
  expect(inp.prc).toBeGreaterThanOrEqual(250);
  // The click listener is inline in the page, so the page is the script.
  expect(inp.ls).toBe('/14_attribution.html');
  expect(inp.lsd).toBeGreaterThan(200);
  expect(cls.el).toBeTruthy();
  await page.close();
});

it('opt-in traceparent on same-origin fetch and XHR, with the trace id on the page view', async () => {
  const page = await h.page();
  await page.goto(h.url('/15_trace.html'));
  const traced = await page.evaluate(() => (window as unknown as { traced: Promise<{ fetch: string; xhr: string }> }).traced);
  const pattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;
  expect(traced.fetch).toMatch(pattern);
  expect(traced.xhr).toMatch(pattern);
  const traceId = traced.fetch.match(pattern)![1];
  expect(traced.xhr.match(pattern)![1]).toBe(traceId);
  await hide(page);
  const [view] = await h.waitForRows<{ trace_id: string }>(`SELECT trace_id FROM page_views WHERE site = 'f15'`, [], (r) => r.length > 0);
  expect(view!.trace_id).toBe(traceId);
  await page.close();
});

it('Global Privacy Control: no session linking (a fresh id per page view, nothing stored)', async () => {
  const visitTwice = async (gpc: boolean) => {
    const page = await h.page({
      init: gpc
        ? () => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { configurable: true, get: () => true })
        : undefined,
    });
    for (const n of [1, 2]) {
      await page.goto(h.url(`/${gpc ? 'gpc' : 'plain'}/${n}/16_gpc.html`));
      await settle(page, 200);
      await hide(page);
    }
    const stored = await page.evaluate(() => sessionStorage.length);
    await page.close();
    const rows = await h.waitForRows<{ session: string }>(
      `SELECT session FROM page_views WHERE site = 'f16' AND path LIKE ?`,
      [`/${gpc ? 'gpc' : 'plain'}/%`],
      (r) => r.length >= 2,
    );
    return { sessions: new Set(rows.map((r) => r.session)).size, stored };
  };
  expect(await visitTwice(false)).toEqual({ sessions: 1, stored: 1 });
  expect(await visitTwice(true)).toEqual({ sessions: 2, stored: 0 });
});

it('custom events and user-timing marks, with the release tag', async () => {
  const page = await h.page();
  await page.goto(h.url('/17_custom.html'));
  await settle(page, 400);
  await hide(page);
  const rows = await h.waitForRows<{ name: string; value: number | null; duration: number | null; start: number | null }>(
    `SELECT name, value, duration, start FROM custom_events WHERE site = 'f17' ORDER BY name`,
    [],
    (r) => r.length >= 3,
  );
  expect(rows.map((r) => r.name)).toEqual(['checkout-ready', 'hero-rendered', 'signup']);
  expect(rows[2]!.value).toBe(3);
  expect(rows[0]!.duration).toBeGreaterThanOrEqual(100);
  expect(rows[1]!.start).toBeGreaterThan(0);
  const [view] = await h.query<{ release: string }>(`SELECT release FROM page_views WHERE site = 'f17'`);
  expect(view!.release).toBe('v1.2.3');
  await page.close();
});
