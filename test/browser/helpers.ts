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
 * presentation time is known) is in the page's performance timeline, and with
 * `frames` also the Long Animation Frame entry that INP attribution takes the
 * longest script from. Until then no script can report them, so a test that
 * closes, hides or leaves the page to check delivery waits for this, not for
 * a fixed time. A task later, the SDK's own observers have had their turn.
 */
export async function interact(page: Page, selector: string, { frames = false, timeoutMs = 10_000 } = {}): Promise<void> {
  const since = await page.evaluate(() => performance.now());
  await page.click(selector);
  const missing = await page.evaluate(
    ([since, frames, timeoutMs]) => {
      const seen = (type: string, test: (e: PerformanceEntry & { interactionId?: number }) => boolean) =>
        new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), timeoutMs);
          new PerformanceObserver((list, observer) => {
            if (list.getEntries().some((e) => e.startTime + e.duration >= since && test(e))) {
              clearTimeout(timer);
              observer.disconnect();
              resolve(true);
            }
          }).observe({ type, buffered: true, ...(type === 'event' ? { durationThreshold: 16 } : {}) } as PerformanceObserverInit);
        });
      return Promise.all([
        seen('event', (e) => (e.interactionId ?? 0) > 0).then((ok) => (ok ? '' : 'Event Timing')),
        frames ? seen('long-animation-frame', () => true).then((ok) => (ok ? '' : 'Long Animation Frame')) : '',
      ]).then(async (missing) => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        return missing.filter(Boolean).join(' and ');
      });
    },
    [since, frames, timeoutMs] as const,
  );
  if (missing) throw new Error(`the click on ${selector} was not measured (no ${missing} entry) in ${timeoutMs} ms`);
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
