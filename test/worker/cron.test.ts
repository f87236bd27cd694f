import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import worker from '../../worker/index.ts';
import { purgeRawRows } from '../../worker/cron.ts';
import { storeBeacons } from '../../worker/store/consumer.ts';
import type { EnrichedBeacon } from '../../worker/schema/enriched.ts';
import { newId } from '../helpers/beacon.ts';

const DAY = 86_400_000;

function beacon(ts: number, site = 'cron'): EnrichedBeacon {
  return {
    v: 1, bid: newId('cron'), site, session: 'x'.repeat(22), ts,
    pv: { id: newId('pv'), path: '/', route: '/' }, pvWeight: 1, ctx: {},
    geo: { country: 'DE', continent: 'EU', colo: 'FRA' },
    agent: { browser: 'Chrome', browserVersion: 131, os: 'Windows', device: 'desktop' }, ipPrefix: null,
    events: [{ t: 'm', n: 'LCP', v: 1000, w: 1 }, { t: 'err', k: 'error', msg: 'old', c: 1, w: 1 }, { t: 'nav', ttfb: 10, w: 1 }, { t: 'ev', name: 'x', w: 1 }],
  };
}

const count = async (table: string, site = 'cron') =>
  (await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE site = ?`).bind(site).first<{ n: number }>())!.n;

describe('retention purge', () => {
  it('deletes raw rows older than RAW_RETENTION_DAYS from every table and keeps newer ones', async () => {
    const now = Date.now();
    await storeBeacons(env.DB, [beacon(now - 31 * DAY), beacon(now - 40 * DAY), beacon(now - 29 * DAY)]);
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: now, cron: '17 3 * * *' }), env, ctx);
    await waitOnExecutionContext(ctx);
    for (const table of ['beacons', 'page_views', 'metric_events', 'nav_timings', 'errors', 'custom_events']) {
      expect(await count(table), table).toBe(1);
    }
  });

  it('deletes in chunks, looping until nothing old is left', async () => {
    const now = Date.now();
    await storeBeacons(env.DB, Array.from({ length: 30 }, () => beacon(now - 90 * DAY, 'cron-chunks')));
    // 30 rows a table with chunks of 7: one statement alone could not delete them all.
    const deleted = await purgeRawRows(env.DB, 30, now, 7);
    expect(deleted).toBeGreaterThanOrEqual(30 * 6);
    expect(await count('metric_events', 'cron-chunks')).toBe(0);
  });
});
