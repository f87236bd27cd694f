/**
 * Issue A end to end: `/demo` from the Worker in headless Chromium, clicked
 * and shifted, then hidden and closed, leaves LCP, CLS, INP, FCP and TTFB
 * rows in D1; its other buttons leave an error, an SPA page view and a
 * custom event.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.ts';
import { hide, interact, settle, shifted } from './helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

it('the demo page leaves all five Core Web Vitals in D1', async () => {
  const page = await h.page();
  await page.goto(h.url('/rum/demo'));
  await settle(page); // the demo's banner shifts the layout 400 ms in
  await shifted(page);
  await interact(page, '#work');
  await hide(page);
  await page.close();

  const rows = await h.waitForRows<{ metric: string; value: number; rating: string; nav: string }>(
    `SELECT m.metric, m.value, m.rating, p.nav FROM metric_events m JOIN page_views p ON p.id = m.page_view_id
     WHERE m.site = 'demo' AND p.path = '/rum/demo'`,
    [],
    (r) => ['LCP', 'CLS', 'INP', 'FCP', 'TTFB'].every((n) => r.some((row) => row.metric === n)),
  );
  expect(new Set(rows.map((r) => r.metric))).toEqual(new Set(['LCP', 'CLS', 'INP', 'FCP', 'TTFB']));
  expect(rows.find((r) => r.metric === 'CLS')!.value).toBeGreaterThan(0);
  expect(rows.find((r) => r.metric === 'INP')!.value).toBeGreaterThanOrEqual(100);
  expect(rows.every((r) => r.nav === 'navigate')).toBe(true);
});

it('its other buttons leave an error, an SPA page view and a custom event', async () => {
  const page = await h.page();
  await page.goto(h.url('/rum/demo'));
  await settle(page, 300);
  await page.click('#boom');
  await page.click('#route');
  await page.click('#event');
  await hide(page);
  await page.close();
  await h.waitForRows(`SELECT id FROM errors WHERE site = 'demo' AND message LIKE '%Demo error from the button%'`, [], (r) => r.length > 0);
  await h.waitForRows(`SELECT id FROM page_views WHERE site = 'demo' AND route = '/rum/demo/item/:id' AND nav = 'soft-navigation'`, [], (r) => r.length > 0);
  await h.waitForRows(`SELECT id FROM custom_events WHERE site = 'demo' AND name = 'demo-click' AND value = 1`, [], (r) => r.length > 0);
});
