/**
 * Reading stored digests: the rows of a metric and dimension in a time range,
 * merged per group. A stored bucket belongs to a range when its start lies in
 * [from, to); hour buckets older than 14 days exist only as day buckets.
 */
import { TDigest } from '../tdigest/tdigest.ts';

export interface StoredDigest {
  value: string;
  bucket: number;
  bytes: ArrayBuffer;
}

export function loadBuckets(sql: SqlStorage, metric: string, dim: string, from: number, to: number): StoredDigest[] {
  return sql
    .exec<{ value: string; bucket: number; bytes: ArrayBuffer }>(
      'SELECT value, bucket, bytes FROM digests WHERE metric = ? AND dim = ? AND bucket >= ? AND bucket < ?',
      metric, dim, from, to,
    )
    .toArray();
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
