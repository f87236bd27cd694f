/**
 * Daily retention purge of raw D1 rows older than `RAW_RETENTION_DAYS`.
 * Deletes in bounded chunks so one run never holds a long write lock.
 */
const TABLES = ['metric_events', 'nav_timings', 'errors', 'custom_events', 'page_views', 'beacons'] as const;
const CHUNK = 5_000;

export async function purgeRawRows(db: D1Database, retentionDays: number, now = Date.now(), chunk = CHUNK): Promise<number> {
  const cutoff = now - retentionDays * 86_400_000;
  let deleted = 0;
  for (const table of TABLES) {
    for (;;) {
      const result = await db
        .prepare(`DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE ts < ? LIMIT ${chunk})`)
        .bind(cutoff)
        .run();
      deleted += result.meta.changes;
      if (result.meta.changes < chunk) break;
    }
  }
  return deleted;
}
