/**
 * Worker entry: HTTP (collector, SDK scripts, demo), the queue consumer that
 * stores beacons, and the daily retention purge.
 */
import { app } from './app.ts';
import { purgeRawRows } from './cron.ts';
import type { EnrichedBeacon } from './schema/enriched.ts';
import { consumeBeacons } from './store/consumer.ts';

export { RouteDigest } from './digest/route-digest.ts';

export default {
  fetch: app.fetch,
  queue: consumeBeacons,
  async scheduled(_controller, env, ctx) {
    const days = Number(env.RAW_RETENTION_DAYS);
    ctx.waitUntil(purgeRawRows(env.DB, Number.isFinite(days) && days > 0 ? days : 30));
  },
} satisfies ExportedHandler<Env, EnrichedBeacon>;
