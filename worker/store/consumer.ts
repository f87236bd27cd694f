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
  return rowsFor(Object.keys(getTableColumns(table)).length);
}

/** Rows per multi-row statement binding `columns` values a row. */
const rowsFor = (columns: number) => Math.max(1, Math.floor(D1_MAX_PARAMS / columns));

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

type Columns = readonly (keyof MetricRow)[];

/** `VALUES (...), (...)` of `rows`, `columns` in order (SQLite names them column1, column2...). */
function values(rows: MetricRow[], columns: Columns) {
  const tuple = (row: MetricRow) => sql`(${sql.join(columns.map((key) => sql`${row[key] ?? null}`), sql`, `)})`;
  return sql`VALUES ${sql.join(rows.map(tuple), sql`, `)}`;
}

/** The `VALUES` column `v.columnN` holding `key`. */
const from = (columns: Columns, key: keyof MetricRow) => sql.raw(`v.column${columns.indexOf(key) + 1}`);

/** Joins a stored row to the `VALUES` row `v` of the same site, page view and metric. */
const samePair = (columns: Columns) =>
  sql.join(
    (['site', 'pageViewId', 'metric'] as const).map((key) => sql`${metricEvents[key]} = ${from(columns, key)}`),
    sql` AND `,
  );

/** Multi-row statements of `rows`, as many rows each as D1's parameter limit allows. */
const perStatement = (rows: MetricRow[], columns: Columns) => chunked(rows, rowsFor(columns.length));

/**
 * The metric rows of a batch. A page view holds one row per metric, whatever
 * order the queue delivers its values in (a failed batch runs again after
 * later ones):
 * - its time is the earliest the page view sent for that metric;
 * - its value is that of the latest update (`u`: CLS or INP grown after the
 *   page was hidden, received last), else of the first value. An update
 *   replaces the stored value unless that came from a beacon received after
 *   it, and is inserted when nothing is stored yet, so nothing accepted is lost;
 * - a first value is inserted unless a row is there already (its update was
 *   processed first).
 * Within the batch the same rules merge each pair's values into one row
 * first, so no statement meets the same pair twice.
 */
function metricStatements(db: Db, all: BeaconRows[]): BatchItem<'sqlite'>[] {
  const pair = (row: MetricRow) => `${row.site}\n${row.pageViewId}\n${row.metric}`;
  const firsts = new Map<string, MetricRow>();
  const updates = new Map<string, MetricRow>();
  for (const row of all.flatMap((r) => r.metrics)) {
    const seen = firsts.get(pair(row));
    if (!seen || row.ts < seen.ts) firsts.set(pair(row), row);
  }
  for (const row of all.flatMap((r) => r.metricUpdates)) {
    const seen = updates.get(pair(row));
    if (!seen || row.ts >= seen.ts) updates.set(pair(row), row);
  }
  const merged = [...new Set([...firsts.keys(), ...updates.keys()])].map((key) => {
    const first = firsts.get(key);
    const update = updates.get(key);
    if (!first) return update!;
    if (!update) return first;
    return { ...first, ...Object.fromEntries(UPDATED.map((column) => [column, update[column]])), ts: Math.min(first.ts, update.ts) };
  });

  const updateColumns = ['site', 'pageViewId', 'metric', 'ts', ...UPDATED] as const;
  const storedValueTs = sql`COALESCE((SELECT ${beacons.ts} FROM ${beacons} WHERE ${beacons.id} = ${metricEvents.beaconId}), 0)`;
  const timeColumns = ['site', 'pageViewId', 'metric', 'ts'] as const;
  return [
    ...perStatement([...updates.values()], updateColumns).map((chunk) =>
      db
        .update(metricEvents)
        .set(Object.fromEntries(UPDATED.map((key) => [key, from(updateColumns, key)])))
        .from(sql`(${values(chunk, updateColumns)}) AS v`)
        .where(sql`${samePair(updateColumns)} AND ${from(updateColumns, 'ts')} >= ${storedValueTs}`),
    ),
    ...perStatement(merged, timeColumns).map((chunk) =>
      db
        .update(metricEvents)
        .set({ ts: from(timeColumns, 'ts') })
        .from(sql`(${values(chunk, timeColumns)}) AS v`)
        .where(sql`${samePair(timeColumns)} AND ${from(timeColumns, 'ts')} < ${metricEvents.ts}`),
    ),
    ...perStatement(merged, METRIC_COLUMNS).map((chunk) =>
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
    const delaySeconds = retryDelay(Math.max(1, ...batch.messages.map((m) => m.attempts)));
    console.error(`storing beacons failed; batch will be retried in ${delaySeconds} s`, error);
    batch.retryAll({ delaySeconds });
  }
}

/**
 * Seconds before a failed batch runs again: 5 s, doubling with each attempt,
 * at most 15 minutes. With `max_retries = 20` that rides out about three
 * hours of D1 or Durable Object trouble before a message goes to the
 * dead-letter queue.
 */
export function retryDelay(attempts: number): number {
  return Math.min(900, 5 * 2 ** Math.min(attempts - 1, 10));
}
