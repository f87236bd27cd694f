/**
 * One Durable Object per (site, route), plus one per site (route `*`), holding
 * t-digests per metric x UTC hour x dimension value in the object's SQLite
 * storage. Storage writes are committed before the call returns, so eviction
 * or a restart loses nothing.
 *
 * Exactly-once: every ingested beacon id is remembered (for
 * `SEEN_RETENTION`) in the same transaction as the digest updates, so a
 * redelivered batch never double-counts.
 *
 * Every value goes into its hour digest and its day roll-up. An alarm drops
 * hour digests older than 14 days (their days remain), drops digests older
 * than `DIGEST_RETENTION_DAYS`, and forgets old beacon ids.
 *
 * @example
 * ```ts
 * const stub = env.ROUTE_DIGEST.getByName(digestName('shop', '/cart'));
 * await stub.ingest(beacons);
 * const rows = await stub.series({ metric: 'LCP', from, to, interval: HOUR, qs: [0.75], by: 'all' });
 * ```
 */
import { DurableObject } from 'cloudflare:workers';
import { TDigest } from '../tdigest/tdigest.ts';
import { loadRange, mergeByGroup } from './read.ts';
import { DAY, DIMENSIONS, HOUR, type DigestBeacon, type GroupQuery, type GroupRow, type SeriesQuery, type SeriesRow } from './types.ts';

/** Hour digests older than this are compacted into day digests. */
export const COMPACT_AFTER = 14 * DAY;
/** How long beacon ids are remembered; far beyond the queue's retry window. */
export const SEEN_RETENTION = 7 * DAY;
const ALARM_PERIOD = 6 * HOUR;

/** Object name for a site's route, or the site as a whole (`route` omitted). */
export function digestName(site: string, route?: string): string {
  return `${site}\n${route ?? '*'}`;
}

export class RouteDigest extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS digests (
        metric TEXT NOT NULL, dim TEXT NOT NULL, value TEXT NOT NULL,
        grain INTEGER NOT NULL, bucket INTEGER NOT NULL,
        count REAL NOT NULL, bytes BLOB NOT NULL,
        PRIMARY KEY (metric, dim, value, grain, bucket)
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS digests_by_time ON digests (metric, dim, bucket);
      CREATE TABLE IF NOT EXISTS seen (bid TEXT PRIMARY KEY, ts INTEGER NOT NULL) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS seen_ts ON seen (ts);
    `);
  }

  /** Adds the beacons not seen before; returns how many were new. */
  async ingest(beacons: DigestBeacon[]): Promise<number> {
    const fresh = this.ctx.storage.transactionSync(() => this.ingestNew(beacons));
    if (fresh > 0 && (await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(Date.now() + ALARM_PERIOD);
    }
    return fresh;
  }

  private ingestNew(beacons: DigestBeacon[]): number {
    const pending = new Map<string, { metric: string; dim: string; value: string; bucket: number; digest: TDigest }>();
    let fresh = 0;
    const now = Date.now();
    for (const beacon of beacons) {
      if (this.sql.exec('SELECT 1 FROM seen WHERE bid = ?', beacon.bid).toArray().length > 0) continue;
      // Remembered from ingestion time, so even a late beacon stays deduped for SEEN_RETENTION.
      this.sql.exec('INSERT INTO seen (bid, ts) VALUES (?, ?)', beacon.bid, now);
      fresh += 1;
      const bucket = Math.floor(beacon.ts / HOUR) * HOUR;
      const pairs: [string, string][] = [['all', 'all'], ...DIMENSIONS.map((d): [string, string] => [d, beacon.dims[d]])];
      for (const { n, v, w } of beacon.values) {
        for (const [dim, value] of pairs) {
          const key = `${n}\n${dim}\n${value}\n${bucket}`;
          let entry = pending.get(key);
          if (!entry) pending.set(key, (entry = { metric: n, dim, value, bucket, digest: new TDigest() }));
          entry.digest.add(v, w);
        }
      }
    }
    // Day roll-ups are kept beside the hours, so long ranges merge ~30 digests, not ~720.
    const days = new Map<string, { metric: string; dim: string; value: string; day: number; digest: TDigest }>();
    for (const { metric, dim, value, bucket, digest } of pending.values()) {
      const day = Math.floor(bucket / DAY) * DAY;
      const key = `${metric}\n${dim}\n${value}\n${day}`;
      let entry = days.get(key);
      if (!entry) days.set(key, (entry = { metric, dim, value, day, digest: new TDigest() }));
      entry.digest.merge(digest);
    }
    for (const { metric, dim, value, bucket, digest } of pending.values()) this.upsert(metric, dim, value, HOUR, bucket, digest);
    for (const { metric, dim, value, day, digest } of days.values()) this.upsert(metric, dim, value, DAY, day, digest);
    return fresh;
  }

  /** Merges `digest` into the stored one for this key (or stores it). */
  private upsert(metric: string, dim: string, value: string, grain: number, bucket: number, digest: TDigest): void {
    const existing = this.sql
      .exec<{ bytes: ArrayBuffer }>(
        'SELECT bytes FROM digests WHERE metric = ? AND dim = ? AND value = ? AND grain = ? AND bucket = ?',
        metric, dim, value, grain, bucket,
      )
      .toArray()[0];
    if (existing) digest.merge(TDigest.fromBytes(new Uint8Array(existing.bytes)));
    this.sql.exec(
      'INSERT OR REPLACE INTO digests (metric, dim, value, grain, bucket, count, bytes) VALUES (?, ?, ?, ?, ?, ?, ?)',
      metric, dim, value, grain, bucket, digest.count, digest.toBytes(),
    );
  }

  /** Quantiles per time bucket (and group). */
  series(query: SeriesQuery): SeriesRow[] {
    const slot = (t: number) => Math.floor((t - query.from) / query.interval);
    const rows = loadRange(this.sql, query.metric, query.by, query.from, query.to, (day) => slot(day) === slot(day + DAY - 1));
    const merged = mergeByGroup(rows, (row) => `${slot(row.bucket)}\n${row.value}`);
    const out: SeriesRow[] = [];
    for (const [key, digest] of merged) {
      const [slot, group] = key.split('\n') as [string, string];
      out.push({ time: query.from + Number(slot) * query.interval, group, count: digest.count, values: query.qs.map((q) => digest.quantile(q)) });
    }
    return out.sort((a, b) => a.time - b.time || a.group.localeCompare(b.group));
  }

  /** p75, count and good / needs-improvement / poor shares per group. */
  groups(query: GroupQuery): GroupRow[] {
    const rows = loadRange(this.sql, query.metric, query.by, query.from, query.to, () => true);
    const merged = mergeByGroup(rows, (row) => row.value);
    const [goodAt, poorAt] = query.thresholds;
    const out: GroupRow[] = [];
    for (const [group, digest] of merged) {
      const good = digest.cdf(goodAt);
      const notPoor = digest.cdf(poorAt);
      out.push({ group, count: digest.count, p75: digest.quantile(0.75), good, needsImprovement: Math.max(0, notPoor - good), poor: Math.max(0, 1 - notPoor) });
    }
    return out.sort((a, b) => b.count - a.count || a.group.localeCompare(b.group));
  }

  /**
   * Compacts, and stays scheduled while anything is left to age: an object
   * whose digests and beacon ids have all expired sleeps until a beacon
   * arrives (`ingest` sets the alarm again), so routes nobody visits any
   * more do not wake up forever.
   */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const { left } = this.ctx.storage.transactionSync(() => this.compact(now));
    if (left) await this.ctx.storage.setAlarm(now + ALARM_PERIOD);
  }

  /**
   * Hour digests older than 14 days are dropped (their day roll-ups hold the
   * same values); expired digests and old beacon ids go.
   */
  compact(now: number): { compacted: number; expired: number; left: boolean } {
    const cutoff = Math.floor((now - COMPACT_AFTER) / DAY) * DAY;
    const compacted = this.sql.exec('DELETE FROM digests WHERE grain = ? AND bucket < ?', HOUR, cutoff).rowsWritten;
    const retentionDays = Number(this.env.DIGEST_RETENTION_DAYS);
    const keepFrom = now - (Number.isFinite(retentionDays) && retentionDays > 0 ? retentionDays : 400) * DAY;
    const expired = this.sql.exec('DELETE FROM digests WHERE bucket < ?', keepFrom).rowsWritten;
    this.sql.exec('DELETE FROM seen WHERE ts < ?', now - SEEN_RETENTION);
    const left = this.sql.exec('SELECT EXISTS (SELECT 1 FROM digests) OR EXISTS (SELECT 1 FROM seen) AS left').one().left === 1;
    return { compacted, expired, left };
  }
}
