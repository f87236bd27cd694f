/**
 * Page helpers for the browser suite. Headless Chromium cannot really hide a
 * tab (minimising, other tabs and lifecycle freezing all leave it
 * `visible`), so `hide` fakes it the way web-vitals' own tests do
 * (test/utils/stubVisibilityChange.js there): `visibilityState` reports
 * `hidden` and a bubbling `visibilitychange` is dispatched. Closing a page
 * and navigating away use the browser's real lifecycle.
 */
import type { Page } from 'playwright-core';

/** The page becomes `hidden`, as when the user switches tabs. */
export async function hide(page: Page): Promise<void> {
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
  });
}

/** The page is visible again. */
export async function show(page: Page): Promise<void> {
  await page.evaluate(() => {
    delete (document as { visibilityState?: unknown }).visibilityState;
    delete (document as { hidden?: unknown }).hidden;
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
  });
}

/** Waits for `load` and then `ms` more (the fixtures shift their layout 300 ms after load). */
export async function settle(page: Page, ms = 700): Promise<void> {
  await page.waitForLoadState('load');
  await page.waitForTimeout(ms);
}

/** web.dev thresholds, to check the ratings the collector stored. */
export const THRESHOLDS: Record<string, [number, number]> = {
  LCP: [2500, 4000],
  INP: [200, 500],
  CLS: [0.1, 0.25],
  FCP: [1800, 3000],
  TTFB: [800, 1800],
};

export const ratingOf = (metric: string, value: number): string => {
  const [good, poor] = THRESHOLDS[metric]!;
  return value <= good ? 'good' : value <= poor ? 'needs-improvement' : 'poor';
};
