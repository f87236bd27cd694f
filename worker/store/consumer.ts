/**
 * Queue consumer: stores enriched beacons in D1.
 *
 * Exactly-once storage under at-least-once delivery: the beacon ids of a
 * batch are looked up first and already-stored beacons are skipped; the rest
 * go in ONE `batch()` (one transaction) together with their beacon ids, so a
 * beacon is stored wholly or not at all. If two deliveries race, the
 * primary key on `beacons.id` fails the second transaction and the batch is
 * retried, after which the lookup skips it.
 */
import { drizzle } from 'drizzle-orm/d1';
import type { BatchItem } from 'drizzle-orm/batch';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { getTableColumns } from 'drizzle-orm';
import { feedDigests } from '../digest/feed.ts';
import type { EnrichedBeacon } from '../schema/enriched.ts';
import { beaconRows } from './rows.ts';
import { beacons, customEvents, errors, metricEvents, navTimings, pageViews } from './tables.ts';

/** D1 allows 100 bound parameters a statement. */
export const D1_MAX_PARAMS = 100;

type Db = ReturnType<typeof drizzle>;

/** Rows per multi-row INSERT so that rows x columns stays within D1's parameter limit. */
export function rowsPerStatement(table: SQLiteTable): number {
  return Math.max(1, Math.floor(D1_MAX_PARAMS / Object.keys(getTableColumns(table)).length));
}

function chunked<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

function inserts<T extends SQLiteTable>(db: Db, table: T, rows: T['$inferInsert'][], ignoreConflicts = false): BatchItem<'sqlite'>[] {
  return chunked(rows, rowsPerStatement(table)).map((chunk) => {
    const insert = db.insert(table).values(chunk);
    return ignoreConflicts ? insert.onConflictDoNothing() : insert;
  });
}

type MetricRow = typeof metricEvents.$inferInsert;

/**
 * A later value (`u`) of a metric its page view already sent (CLS or INP
 * grown after the page was hidden) replaces the stored value rather than
 * becoming a second sample; should the first value never have been stored,
 * it is inserted instead, so nothing accepted is lost. Both statements run
 * inside the batch, after its inserts, so a first value stored by this batch
 * or by any batch before it is updated, never duplicated.
 */
function metricUpdate(db: Db, row: MetricRow): BatchItem<'sqlite'>[] {
  const samePair = and(eq(metricEvents.pageViewId, row.pageViewId), eq(metricEvents.metric, row.metric));
  const values = Object.keys(getTableColumns(metricEvents)).map((key) => sql`${row[key as keyof MetricRow] ?? null}`);
  return [
    db
      .update(metricEvents)
      .set({ value: row.value, rating: row.rating, attribution: row.attribution, beaconId: row.beaconId })
      .where(samePair),
    db
      .insert(metricEvents)
      .select(sql`SELECT ${sql.join(values, sql`, `)} WHERE NOT EXISTS (SELECT 1 FROM ${metricEvents} WHERE ${samePair})`),
  ];
}

/** Beacons of `candidates` whose ids are not yet in D1, each id once. */
async function unstored(db: Db, candidates: EnrichedBeacon[]): Promise<EnrichedBeacon[]> {
  const unique = [...new Map(candidates.map((b) => [b.bid, b])).values()];
  const stored = new Set<string>();
  for (const ids of chunked(unique.map((b) => b.bid), D1_MAX_PARAMS)) {
    const found = await db.select({ id: beacons.id }).from(beacons).where(inArray(beacons.id, ids));
    for (const row of found) stored.add(row.id);
  }
  return unique.filter((b) => !stored.has(b.bid));
}

/** Stores the beacons that are not stored yet; returns how many were new. */
export async function storeBeacons(d1: D1Database, candidates: EnrichedBeacon[]): Promise<number> {
  const db = drizzle(d1);
  const fresh = await unstored(db, candidates);
  if (fresh.length === 0) return 0;
  const all = await Promise.all(fresh.map(beaconRows));
  const statements: BatchItem<'sqlite'>[] = [
    ...inserts(db, beacons, fresh.map((b) => ({ id: b.bid, site: b.site, ts: b.ts }))),
    ...inserts(db, pageViews, all.flatMap((r) => (r.pageView ? [r.pageView] : [])), true),
    ...inserts(db, metricEvents, all.flatMap((r) => r.metrics)),
    ...all.flatMap((r) => r.metricUpdates.flatMap((row) => metricUpdate(db, row))),
    ...inserts(db, navTimings, all.flatMap((r) => r.navs)),
    ...inserts(db, errors, all.flatMap((r) => r.errors)),
    ...inserts(db, customEvents, all.flatMap((r) => r.customs)),
  ];
  await db.batch(statements as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]);
  return fresh.length;
}

/**
 * The `queue()` handler: D1 first, then the digest objects. On any failure
 * the whole batch is retried (with a delay); both stores are idempotent on
 * the beacon id, so a retry never double-counts and never skips the digests.
 */
export async function consumeBeacons(batch: MessageBatch<EnrichedBeacon>, env: Env, _ctx?: ExecutionContext): Promise<void> {
  try {
    const beacons = batch.messages.map((m) => m.body);
    await storeBeacons(env.DB, beacons);
    await feedDigests(env.ROUTE_DIGEST, beacons);
    batch.ackAll();
  } catch (error) {
    console.error('storing beacons failed; batch will be retried', error);
    batch.retryAll({ delaySeconds: 5 });
  }
}
