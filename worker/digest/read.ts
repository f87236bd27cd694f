/**
 * Reading stored digests for a range. Hours and their day roll-ups hold the
 * same values, so each day is read once: from its roll-up when the whole day
 * lies in the range (and in one output bucket), else from its hours. Days
 * older than 14 days have only roll-ups; such a day counts when its start
 * lies in [from, to).
 */
import { TDigest } from '../tdigest/tdigest.ts';
import { DAY, HOUR } from './types.ts';

export interface StoredDigest {
  value: string;
  bucket: number;
  bytes: ArrayBuffer;
}

function select(sql: SqlStorage, metric: string, dim: string, grain: number, from: number, to: number): StoredDigest[] {
  return sql
    .exec<{ value: string; bucket: number; bytes: ArrayBuffer }>(
      'SELECT value, bucket, bytes FROM digests WHERE metric = ? AND dim = ? AND grain = ? AND bucket >= ? AND bucket < ?',
      metric, dim, grain, from, to,
    )
    .toArray();
}

function hasHours(sql: SqlStorage, metric: string, dim: string, day: number): boolean {
  return (
    sql.exec('SELECT 1 FROM digests WHERE metric = ? AND dim = ? AND grain = ? AND bucket >= ? AND bucket < ? LIMIT 1', metric, dim, HOUR, day, day + DAY).toArray()
      .length > 0
  );
}

/**
 * The digests to merge for [from, to): each value counted once.
 * `wholeDayFits(day)` says whether a day maps into a single output bucket.
 */
export function loadRange(
  sql: SqlStorage,
  metric: string,
  dim: string,
  from: number,
  to: number,
  wholeDayFits: (day: number) => boolean,
): StoredDigest[] {
  const days = select(sql, metric, dim, DAY, Math.floor(from / DAY) * DAY, to);
  const byDay = new Set<number>();
  for (const row of days) if (row.bucket >= from && row.bucket + DAY <= to && wholeDayFits(row.bucket)) byDay.add(row.bucket);
  // Hours only where no roll-up answers: the range's edges and days split across output buckets.
  const hours: StoredDigest[] = [];
  let cursor = from;
  for (const day of [...byDay].sort((a, b) => a - b)) {
    if (day > cursor) hours.push(...select(sql, metric, dim, HOUR, cursor, day));
    cursor = day + DAY;
  }
  if (cursor < to) hours.push(...select(sql, metric, dim, HOUR, cursor, to));
  const hourDays = new Set(hours.map((h) => Math.floor(h.bucket / DAY) * DAY));
  const edgeHasHours = new Map<number, boolean>();
  const out: StoredDigest[] = [...hours];
  for (const row of days) {
    const day = row.bucket;
    if (byDay.has(day)) out.push(row);
    else if (day >= from && day + DAY <= to) {
      if (!hourDays.has(day)) out.push(row); // compacted: the roll-up is all there is
    } else if (day >= from) {
      let has = edgeHasHours.get(day);
      if (has === undefined) edgeHasHours.set(day, (has = hasHours(sql, metric, dim, day)));
      if (!has) out.push(row);
    }
  }
  return out;
}

export function mergeByGroup(rows: StoredDigest[], keyOf: (row: StoredDigest) => string): Map<string, TDigest> {
  const merged = new Map<string, TDigest>();
  for (const row of rows) {
    const key = keyOf(row);
    const digest = TDigest.fromBytes(new Uint8Array(row.bytes));
    const existing = merged.get(key);
    if (existing) existing.merge(digest);
    else merged.set(key, digest);
  }
  return merged;
}
