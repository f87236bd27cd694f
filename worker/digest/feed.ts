/**
 * Feeds metric values to the digest objects: one call per (site, route)
 * object and one per site object for a whole queue batch. Objects dedupe on
 * the beacon id, so every beacon of the batch is sent, stored before or not.
 */
import type { EnrichedBeacon } from '../schema/enriched.ts';
import { digestName } from './route-digest.ts';
import type { DigestBeacon } from './types.ts';

export function digestBeacon(b: EnrichedBeacon): DigestBeacon | null {
  // A later value of a metric the page view already sent (`u`) is not a new
  // sample: the digests keep the first, so a page view counts once.
  const values = b.events.flatMap((e) => (e.t === 'm' && !e.u ? [{ n: e.n, v: e.v, w: e.w }] : []));
  if (values.length === 0) return null;
  return {
    bid: b.bid,
    ts: b.ts,
    dims: {
      country: b.geo.country,
      continent: b.geo.continent,
      device: b.agent.device,
      browser: b.agent.browser,
      os: b.agent.os,
      connection: b.ctx.ect ?? 'unknown',
    },
    values,
  };
}

export async function feedDigests(namespace: Env['ROUTE_DIGEST'], beacons: EnrichedBeacon[]): Promise<void> {
  const byObject = new Map<string, DigestBeacon[]>();
  for (const beacon of beacons) {
    const digest = digestBeacon(beacon);
    if (!digest) continue;
    for (const name of [digestName(beacon.site, beacon.pv.route), digestName(beacon.site)]) {
      const list = byObject.get(name);
      if (list) list.push(digest);
      else byObject.set(name, [digest]);
    }
  }
  await Promise.all([...byObject].map(([name, list]) => namespace.getByName(name).ingest(list)));
}
