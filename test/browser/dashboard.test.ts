/**
 * The built-in dashboard (`/dashboard`) in headless Chromium against the local
 * Worker: beacons sent to the collector, then the page must show what the
 * query API answers for them, keep the token out of the address bar, refuse
 * a wrong token, and show a hostile error message as text.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { CHROME_UA, makeBeacon } from '../helpers/beacon.ts';
import { startHarness, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const SITE = 'dash';
const HOSTILE = '<img src=x onerror="window.__pwned=1">Error: cart is <b>empty</b>';

interface Row {
  [key: string]: string | number | null;
}

async function api(path: string, query: Record<string, string>): Promise<Row[]> {
  const response = await fetch(h.url(`/rum/api/v1${path}?${new URLSearchParams({ site: SITE, ...query })}`), {
    headers: { Authorization: `Bearer ${h.apiToken}` },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: Row[] }).data;
}

/** The dashboard's number format: CLS to three places, the others in whole ms. */
const format = (metric: string, value: number | null) =>
  value === null ? '-' : metric === 'CLS' ? value.toFixed(3) : `${Math.round(value).toLocaleString('en-US')} ms`;

const loaded = (page: Page, after = 0) =>
  page.waitForFunction((t) => Number(document.body.dataset.loaded ?? 0) > t, after, { timeout: 20_000 });

beforeAll(async () => {
  const send = (beacon: object, country: string) =>
    fetch(h.url('/rum/collect'), {
      method: 'POST',
      body: JSON.stringify(beacon),
      headers: { 'Content-Type': 'text/plain', 'User-Agent': CHROME_UA, 'CF-IPCountry': country },
    });
  const views: [string, number, string][] = [
    ['/a', 1200, 'DE'],
    ['/a', 2600, 'DE'],
    ['/a', 4800, 'JP'],
    ['/b/:id', 900, 'JP'],
    ['/b/:id', 3100, 'DE'],
  ];
  for (const [route, lcp, country] of views) {
    const beacon = makeBeacon({
      site: SITE,
      pv: { id: `pv${Math.random().toString(36).slice(2, 12)}`, path: route.replace(':id', '7'), route, nav: 'navigate' },
      e: [
        { t: 'm', n: 'LCP', v: lcp },
        { t: 'm', n: 'CLS', v: lcp / 20_000 },
        ...(route === '/b/:id' ? [{ t: 'err' as const, k: 'error' as const, msg: HOSTILE }] : []),
      ],
    });
    expect((await send(beacon, country)).status).toBe(202);
  }
  // Until the queue has stored them all (digests and D1).
  const deadline = Date.now() + 30_000;
  for (;;) {
    const [summary, errors] = await Promise.all([api('/summary', {}), api('/errors', {})]);
    if (summary.find((r) => r.metric === 'LCP')?.count === views.length && errors[0]?.count === 2) break;
    if (Date.now() > deadline) throw new Error(`beacons not stored: ${JSON.stringify(summary)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
});

it('shows what the query API answers: p75 tiles, the series, the breakdown, routes and errors', async () => {
  const page = await h.page();
  const response = await page.goto(h.url(`/rum/dashboard?site=${SITE}#token=${h.apiToken}`));
  expect(response!.headers()['content-security-policy']).toMatch(/script-src 'nonce-[^']+'/);
  await loaded(page);

  // The token left the address bar, and no storage the site's own scripts could read holds it.
  expect(page.url()).not.toContain(h.apiToken);
  expect(await page.evaluate(() => JSON.stringify({ ...sessionStorage, ...localStorage }) + document.cookie)).not.toContain(h.apiToken);

  const summary = await api('/summary', {});
  for (const row of summary) {
    const tile = page.locator(`.tile[data-metric="${row.metric}"] .p75`);
    expect(await tile.textContent()).toBe(format(String(row.metric), row.p75 as number | null));
  }
  const lcp = summary.find((r) => r.metric === 'LCP')!;
  expect(await page.locator('.tile[data-metric="LCP"] .p75').getAttribute('class')).toContain(String(lcp.rating));

  expect(Number(await page.locator('#chart').getAttribute('data-points'))).toBeGreaterThanOrEqual(1);

  const breakdown = await api('/breakdown', { metric: 'LCP', by: 'country' });
  const shown = await page.locator('#breakdown tr').evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
  expect(shown).toEqual(breakdown.map((r) => [r.group, format('LCP', r.p75 as number), String(r.count), `${Math.round((r.good as number) * 100)}%`]));
  expect(shown.map((r) => r[0]).sort()).toEqual(['DE', 'JP']);

  const routes = await page.locator('#routes tr td:first-child').allTextContents();
  expect(routes.sort()).toEqual(['/a', '/b/:id']);
  await page.close();
});

it('opens a linked route, and goes back to all routes', async () => {
  const page = await h.page();
  await page.goto(h.url(`/rum/dashboard?site=${SITE}&route=${encodeURIComponent('/b/:id')}#token=${h.apiToken}`));
  await loaded(page);
  const tile = page.locator('.tile[data-metric="LCP"] .p75');
  const lcpOf = async (query: Record<string, string>) => (await api('/summary', query)).find((r) => r.metric === 'LCP')!.p75 as number;
  expect(await page.locator('#route').inputValue()).toBe('/b/:id');
  expect(await tile.textContent()).toBe(format('LCP', await lcpOf({ route: '/b/:id' })));
  const t = Number(await page.evaluate(() => document.body.dataset.loaded));
  await page.selectOption('#route', '');
  await loaded(page, t);
  expect(await page.locator('#route').inputValue()).toBe('');
  expect(await tile.textContent()).toBe(format('LCP', await lcpOf({})));
  expect(page.url()).not.toContain('route=');
  await page.close();
});

it('says so when a site has no data', async () => {
  const page = await h.page();
  await page.goto(h.url(`/rum/dashboard?site=nothing-here#token=${h.apiToken}`));
  await loaded(page);
  expect(await page.locator('#status').textContent()).toMatch(/^nothing-here: no data from .* Is the site name right\?$/);
  expect(await page.locator('.tile[data-metric="LCP"] .p75').textContent()).toBe('-');
  expect(await page.locator('#chart').getAttribute('data-points')).toBe('0');
  await page.close();
});

it('draws a gap where the series has no data, not a line across it', async () => {
  const DAY = 86_400_000;
  const today = Math.floor(Date.now() / DAY) * DAY;
  for (const day of [today - 4 * DAY, today - 2 * DAY]) {
    const response = await fetch(h.url(`/rum/api/v1/demo/load?site=gaps&day=${day}`), { method: 'POST', headers: { Authorization: `Bearer ${h.apiToken}` } });
    expect(response.status).toBe(200);
  }
  const page = await h.page();
  await page.goto(h.url(`/rum/dashboard?site=gaps&range=7d#token=${h.apiToken}`));
  await loaded(page);
  const chart = page.locator('#chart');
  expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThan(2);
  // Two days of data with a day between them: at least two separate runs.
  expect(Number(await chart.getAttribute('data-runs'))).toBeGreaterThanOrEqual(2);
  await page.close();
});

it('filters by route, metric and breakdown dimension', async () => {
  const page = await h.page();
  await page.goto(h.url(`/rum/dashboard?site=${SITE}#token=${h.apiToken}`));
  await loaded(page);
  let t = Number(await page.evaluate(() => document.body.dataset.loaded));
  await page.selectOption('#route', '/a');
  await loaded(page, t);
  const [lcp] = (await api('/summary', { route: '/a' })).filter((r) => r.metric === 'LCP');
  expect(await page.locator('.tile[data-metric="LCP"] .p75').textContent()).toBe(format('LCP', lcp!.p75 as number));
  expect(page.url()).toContain('route=%2Fa');

  t = Number(await page.evaluate(() => document.body.dataset.loaded));
  await page.selectOption('#metric', 'CLS');
  await loaded(page, t);
  t = Number(await page.evaluate(() => document.body.dataset.loaded));
  await page.selectOption('#by', 'device');
  await loaded(page, t);
  const breakdown = await api('/breakdown', { metric: 'CLS', by: 'device', route: '/a' });
  expect(await page.locator('#by-head').textContent()).toBe('device');
  expect(await page.locator('#breakdown tr td:nth-child(2)').allTextContents()).toEqual(breakdown.map((r) => format('CLS', r.p75 as number)));
  await page.close();
});

it('shows a hostile error message as text, never as markup', async () => {
  const page = await h.page();
  await page.goto(h.url(`/rum/dashboard?site=${SITE}#token=${h.apiToken}`));
  await loaded(page);
  const errors = await api('/errors', {});
  expect(errors[0]!.message).toContain('<img');
  expect(await page.locator('#errors td.msg').first().textContent()).toBe(errors[0]!.message);
  expect(await page.locator('#errors img, #errors b').count()).toBe(0);
  expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
  await page.close();
});

it('asks for the token, and says so when a wrong one is refused', async () => {
  const page = await h.page();
  await page.goto(h.url(`/rum/dashboard?site=${SITE}`));
  expect(await page.locator('#token').isVisible()).toBe(true);
  expect(await page.locator('#status').textContent()).toMatch(/API token/);
  await page.fill('#token', 'not-the-token');
  await page.press('#token', 'Enter');
  await page.waitForFunction(() => document.getElementById('status')!.className === 'error');
  expect(await page.locator('#status').textContent()).toMatch(/refused/);
  await page.fill('#token', h.apiToken);
  await page.press('#token', 'Enter');
  await loaded(page);
  expect(await page.locator('#token').isVisible()).toBe(false);
  expect(await page.locator('.tile').count()).toBe(5);
  // Kept in the page's memory only: a reload asks again.
  await page.reload();
  expect(await page.locator('#token').isVisible()).toBe(true);
  await page.close();
});
