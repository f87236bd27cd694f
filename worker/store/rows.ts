/**
 * Turns an enriched beacon into D1 rows. Pure: no I/O besides hashing error
 * fingerprints.
 */
import { errorFingerprint } from '../collect/fingerprint.ts';
import type { EnrichedBeacon } from '../schema/enriched.ts';
import type { customEvents, errors, metricEvents, navTimings, pageViews } from './tables.ts';
import { rate } from './rating.ts';

export interface BeaconRows {
  pageView: typeof pageViews.$inferInsert | null;
  metrics: (typeof metricEvents.$inferInsert)[];
  /** Later values (`u`) of metrics the page view already sent: they replace the stored value. */
  metricUpdates: (typeof metricEvents.$inferInsert)[];
  navs: (typeof navTimings.$inferInsert)[];
  errors: (typeof errors.$inferInsert)[];
  customs: (typeof customEvents.$inferInsert)[];
}

export async function beaconRows(b: EnrichedBeacon): Promise<BeaconRows> {
  const base = { beaconId: b.bid, pageViewId: b.pv.id, site: b.site, ts: b.ts, route: b.pv.route };
  const rows: BeaconRows = { pageView: null, metrics: [], metricUpdates: [], navs: [], errors: [], customs: [] };
  if (b.pvWeight > 0) {
    rows.pageView = {
      id: b.pv.id,
      site: b.site,
      ts: b.ts,
      route: b.pv.route,
      path: b.pv.path,
      session: b.session,
      nav: b.pv.nav ?? null,
      country: b.geo.country,
      continent: b.geo.continent,
      colo: b.geo.colo,
      browser: b.agent.browser,
      browserVersion: b.agent.browserVersion,
      os: b.agent.os,
      device: b.agent.device,
      connection: b.ctx.ect ?? null,
      tier: b.ctx.tier ?? null,
      ipPrefix: b.ipPrefix,
      release: b.ctx.rel ?? null,
      traceId: b.pv.trace ?? null,
      weight: b.pvWeight,
      query: b.pv.q ?? null,
    };
  }
  for (const e of b.events) {
    switch (e.t) {
      case 'm':
        (e.u ? rows.metricUpdates : rows.metrics).push({
          ...base,
          metric: e.n,
          value: e.v,
          rating: rate(e.n, e.v),
          weight: e.w,
          country: b.geo.country,
          continent: b.geo.continent,
          device: b.agent.device,
          browser: b.agent.browser,
          os: b.agent.os,
          connection: b.ctx.ect ?? null,
          attribution: e.a ? JSON.stringify(e.a) : null,
        });
        break;
      case 'nav':
        rows.navs.push({
          ...base,
          redirect: e.redirect ?? null,
          dns: e.dns ?? null,
          tcp: e.tcp ?? null,
          tls: e.tls ?? null,
          ttfb: e.ttfb ?? null,
          download: e.download ?? null,
          domInteractive: e.domInteractive ?? null,
          domContentLoaded: e.domContentLoaded ?? null,
          load: e.load ?? null,
          transfer: e.transfer ?? null,
          weight: e.w,
        });
        break;
      case 'err':
        rows.errors.push({
          ...base,
          path: b.pv.path,
          kind: e.k,
          fingerprint: await errorFingerprint(e.k, e.msg, e.stack),
          message: e.msg,
          stack: e.stack ?? null,
          source: e.src ?? null,
          line: e.line ?? null,
          col: e.col ?? null,
          count: e.c,
          weight: e.w,
          country: b.geo.country,
          browser: b.agent.browser,
          os: b.agent.os,
        });
        break;
      case 'ev':
        rows.customs.push({ ...base, name: e.name, value: e.v ?? null, duration: e.d ?? null, start: e.s ?? null, weight: e.w });
        break;
    }
  }
  return rows;
}
