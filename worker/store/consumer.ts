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
import { inArray, sql } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { getTableColumns } from 'drizzle-orm';
import { feedDigests } from '../digest/feed.ts';
import type { EnrichedBeacon } from '../schema/enriched.ts';
import { beaconRows, type BeaconRows } from './rows.ts';
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

const METRIC_COLUMNS = Object.keys(getTableColumns(metricEvents)) as (keyof MetricRow)[];

/** What an update (`u`) changes in the stored row. */
const UPDATED = ['value', 'rating', 'attribution', 'beaconId'] as const satisfies (keyof MetricRow)[];

/** `VALUES (...), (...)` of `rows`, `columns` in order (SQLite names them column1, column2...). */
function values(rows: MetricRow[], columns: readonly (keyof MetricRow)[]) {
  const tuple = (row: MetricRow) => sql`(${sql.join(columns.map((key) => sql`${row[key] ?? null}`), sql`, `)})`;
  return sql`VALUES ${sql.join(rows.map(tuple), sql`, `)}`;
}

/** The `VALUES` column `v.columnN` holding `key`, and the table column it belongs in. */
function pick(columns: readonly (keyof MetricRow)[], key: keyof MetricRow) {
  return { from: sql.raw(`v.column${columns.indexOf(key) + 1}`), to: metricEvents[key] };
}

/** Joins a stored row to the `VALUES` row `v` of the same page view and metric. */
function samePair(columns: readonly (keyof MetricRow)[]) {
  const pv = pick(columns, 'pageViewId');
  const metric = pick(columns, 'metric');
  return sql`${pv.to} = ${pv.from} AND ${metric.to} = ${metric.from}`;
}

/**
 * The metric rows of a batch. A page view holds one row per metric:
 * - an update (`u`: CLS or INP grown after the page was hidden) replaces the
 *   stored value instead of becoming a second sample, and is inserted when
 *   none is stored yet, so nothing accepted is lost;
 * - a first value is inserted unless a row is already there, which happens
 *   when an update of it was processed first (its queue batch failed and ran
 *   again after the update's): that row holds the newer value.
 * Within the batch the same rules pick one row per pair first, so no
 * statement meets the same pair twice. Multi-row statements keep a batch of
 * any size within D1's parameter and query limits.
 */
function metricStatements(db: Db, all: BeaconRows[]): BatchItem<'sqlite'>[] {
  const pair = (row: MetricRow) => `${row.pageViewId}\n${row.metric}`;
  const chosen = new Map<string, MetricRow>();
  const updates = new Map<string, MetricRow>();
  for (const row of all.flatMap((r) => r.metrics)) if (!chosen.has(pair(row))) chosen.set(pair(row), row);
  for (const row of all.flatMap((r) => r.metricUpdates)) {
    chosen.set(pair(row), row);
    updates.set(pair(row), row);
  }
  const updateColumns = ['pageViewId', 'metric', ...UPDATED] as const;
  const set = Object.fromEntries(UPDATED.map((key) => [key, pick(updateColumns, key).from]));
  return [
    ...chunked([...updates.values()], Math.floor(D1_MAX_PARAMS / updateColumns.length)).map((chunk) =>
      db
        .update(metricEvents)
        .set(set)
        .from(sql`(${values(chunk, updateColumns)}) AS v`)
        .where(samePair(updateColumns)),
    ),
    ...chunked([...chosen.values()], rowsPerStatement(metricEvents)).map((chunk) =>
      db
        .insert(metricEvents)
        .select(
          sql`SELECT * FROM (${values(chunk, METRIC_COLUMNS)}) AS v WHERE NOT EXISTS (SELECT 1 FROM ${metricEvents} WHERE ${samePair(METRIC_COLUMNS)})`,
        ),
    ),
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
    ...metricStatements(db, all),
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
