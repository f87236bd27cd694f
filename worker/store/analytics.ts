/**
 * Workers Analytics Engine writes: one data point per metric event, at most
 * 25 per request (the platform's limit per invocation).
 *
 * Layout (documented in the README):
 * - index1: `site route`, cut to 96 bytes (never the session)
 * - blobs: 1 site, 2 route, 3 metric, 4 rating, 5 country, 6 continent,
 *   7 colo, 8 device, 9 browser, 10 os, 11 connection, 12 navigation type,
 *   13 release, 14 kind (`metric`, or `drop` for counted drops)
 * - doubles: 1 value, 2 weight, 3 browser major version
 *
 * When a beacon carries more than 25 metric events (the SDK sends at most
 * one value per metric and page view, so only other clients do), 25 are
 * chosen at random and each carries weight x n / 25, so weighted sums stay
 * unbiased while the per-request limit holds. Updates (`u`, a later value
 * of a metric the page view already sent) get no point: see `metricPoints`.
 */
import type { EnrichedBeacon } from '../schema/enriched.ts';
import { rate } from './rating.ts';

export const MAX_POINTS_PER_REQUEST = 25;
const INDEX_BYTES = 96;
const encoder = new TextEncoder();

/** `site route`, cut to 96 UTF-8 bytes without splitting a character. */
export function indexKey(site: string, route: string): string {
  let key = `${site} ${route}`;
  while (encoder.encode(key).byteLength > INDEX_BYTES) key = key.slice(0, -1);
  return key;
}

function choose<T>(items: T[], count: number): T[] {
  if (items.length <= count) return items;
  const pool = items.slice();
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(Math.random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, count);
}

/** Data points for a beacon's metric events; never more than 25. */
export function metricPoints(beacon: EnrichedBeacon): AnalyticsEngineDataPoint[] {
  // Updates (`u`) of a value already written are left out: a data point
  // cannot be replaced, and a second one would count the page view twice.
  const metrics = beacon.events.flatMap((e) => (e.t === 'm' && !e.u ? [e] : []));
  const chosen = choose(metrics, MAX_POINTS_PER_REQUEST);
  const scale = metrics.length / chosen.length;
  const index = indexKey(beacon.site, beacon.pv.route);
  return chosen.map((event) => ({
    indexes: [index],
    blobs: [
      beacon.site,
      beacon.pv.route,
      event.n,
      rate(event.n, event.v),
      beacon.geo.country,
      beacon.geo.continent,
      beacon.geo.colo,
      beacon.agent.device,
      beacon.agent.browser,
      beacon.agent.os,
      beacon.ctx.ect ?? '',
      beacon.pv.nav ?? '',
      beacon.ctx.rel ?? '',
      'metric',
    ],
    doubles: [event.v, event.w * scale, beacon.agent.browserVersion],
  }));
}

/** A single point counting a dropped request (bots), so drops are visible. */
export function dropPoint(site: string, reason: string): AnalyticsEngineDataPoint {
  return { indexes: [indexKey(site, '')], blobs: [site, '', '', '', '', '', '', '', '', '', '', '', '', 'drop', reason], doubles: [0, 1, 0] };
}

/** Writes points; Analytics Engine is best-effort, so a failure is logged, never surfaced. */
export function writePoints(dataset: AnalyticsEngineDataset, points: AnalyticsEngineDataPoint[]): void {
  for (const point of points.slice(0, MAX_POINTS_PER_REQUEST)) {
    try {
      dataset.writeDataPoint(point);
    } catch (error) {
      console.error('analytics engine write failed', error);
    }
  }
}
