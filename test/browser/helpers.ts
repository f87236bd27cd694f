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

/**
 * Clicks `selector` and waits until the browser has measured the interaction:
 * its Event Timing entry (which Chromium queues only once the next frame's
 * presentation time is known) is in the page's performance timeline. Until
 * then no script can report INP, so a test that closes, hides or leaves the
 * page to check INP's delivery waits for this, not for a fixed time.
 */
export async function interact(page: Page, selector: string, timeoutMs = 10_000): Promise<void> {
  const since = await page.evaluate(() => performance.now());
  await page.click(selector);
  const measured = await page.evaluate(
    ([since, timeoutMs]) =>
      new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        new PerformanceObserver((list, observer) => {
          const entries = list.getEntries() as (PerformanceEntry & { interactionId?: number })[];
          if (entries.some((e) => (e.interactionId ?? 0) > 0 && e.startTime >= since)) {
            clearTimeout(timer);
            observer.disconnect();
            resolve(true);
          }
        }).observe({ type: 'event', buffered: true, durationThreshold: 16 } as PerformanceObserverInit);
      }),
    [since, timeoutMs] as const,
  );
  if (!measured) throw new Error(`the click on ${selector} was not measured (no Event Timing entry) in ${timeoutMs} ms`);
}

/**
 * Waits until the page's timeline holds at least `count` layout shifts that no
 * input caused (those CLS counts): the fixtures shift on a timer, which a
 * loaded machine can run late.
 */
export async function shifted(page: Page, count = 1, timeoutMs = 10_000): Promise<void> {
  const seen = await page.evaluate(
    ([count, timeoutMs]) =>
      new Promise<number>((resolve) => {
        let n = 0;
        const timer = setTimeout(() => resolve(n), timeoutMs);
        new PerformanceObserver((list, observer) => {
          n += (list.getEntries() as (PerformanceEntry & { hadRecentInput: boolean })[]).filter((e) => !e.hadRecentInput).length;
          if (n >= count) {
            clearTimeout(timer);
            observer.disconnect();
            resolve(n);
          }
        }).observe({ type: 'layout-shift', buffered: true });
      }),
    [count, timeoutMs] as const,
  );
  if (seen < count) throw new Error(`${seen} of ${count} layout shifts happened in ${timeoutMs} ms`);
}
