/**
 * The `RouteDigest` Durable Object, inside its own runtime: instance methods
 * through `runInDurableObject`, the RPC stub the Worker uses, eviction, and
 * the compaction alarm. Every count is checked exactly; every quantile is
 * checked as a rank error against the exact quantile of what was ingested.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { clsLike, inpLike, lcpLike, rankError } from '../../bench/data.ts';
import { feedDigests } from '../../worker/digest/feed.ts';
import { COMPACT_AFTER, digestName, SEEN_RETENTION, type RouteDigest } from '../../worker/digest/route-digest.ts';
import { DAY, DIMENSIONS, HOUR, type Dimension, type DigestBeacon, type GroupRow, type SeriesRow } from '../../worker/digest/types.ts';
import type { MetricName } from '../../worker/schema/beacon.ts';
import type { EnrichedBeacon } from '../../worker/schema/enriched.ts';
import { THRESHOLDS } from '../../worker/store/rating.ts';
import { makeScale } from '../../worker/tdigest/scale.ts';
import { DEFAULT_COMPRESSION } from '../../worker/tdigest/tdigest.ts';

const QS = [0.5, 0.75, 0.9, 0.95, 0.99];

/**
 * Half the widest centroid the digest may keep at quantile q, as a share of
 * the weight: scale.ts lets a centroid at q span a * (q(1-q))^(3/4), a = 16 /
 * compression, compression 200 when stored. Inside a centroid the digest
 * interpolates, so an answer can be off by up to half of it.
 */
const halfCentroid = (q: number) => (makeScale(DEFAULT_COMPRESSION).a * (q * (1 - q)) ** 0.75) / 2;

/**
 * Rank-error bound of a quantile answer: the digest's p99 target (1.5e-4,
 * test/unit/tdigest.test.ts) plus one sample, plus half a centroid at q.
 * That last term dominates with a few thousand values, where a centroid
 * near p99 holds ~7 values and one near p50 ~80; the 1.5e-4 target is met
 * only at ~1e6 values (measured: p99 off by 2-4 samples at n = 3,000).
 */
const rankBound = (q: number, n: number) => 1.5e-4 + 1 / n + halfCentroid(q);

/**
 * Bound on a good / needs-improvement / poor share: each is one cdf value,
 * or a difference of two, read at the thresholds; a cdf value p can be off
 * by half the centroid at p plus one sample.
 */
const cdfBound = (p: number, n: number) => 1 / n + halfCentroid(p);

let sequence = 0;
/** A fresh object name part per test: storage is shared by the tests of a run. */
const unique = (label: string) => `${label}-${Date.now().toString(36)}-${(sequence++).toString(36)}`;

const DEFAULT_DIMS: Record<Dimension, string> = {
  country: 'DE',
  continent: 'EU',
  device: 'desktop',
  browser: 'Chrome',
  os: 'Windows',
  connection: '4g',
};

function digestBeacon(bid: string, ts: number, values: { n: MetricName; v: number; w?: number }[], dims: Partial<Record<Dimension, string>> = {}): DigestBeacon {
  return { bid, ts, dims: { ...DEFAULT_DIMS, ...dims }, values: values.map(({ n, v, w }) => ({ n, v, w: w ?? 1 })) };
}

/** `values` cut into beacons of at most 100 values, `step` ms apart from `ts`. */
function beaconsOf(prefix: string, metric: MetricName, values: ArrayLike<number>, ts: number, step = 1_000): DigestBeacon[] {
  const out: DigestBeacon[] = [];
  for (let i = 0; i < values.length; i += 100) {
    const slice = Array.from({ length: Math.min(100, values.length - i) }, (_, k) => ({ n: metric, v: values[i + k]! }));
    out.push(digestBeacon(`${prefix}-${metric}-${i / 100}`, ts + (i / 100) * step, slice));
  }
  return out;
}

const sortedOf = (values: ArrayLike<number>) => Float64Array.from(values).sort();

function exactShares(metric: MetricName, values: ArrayLike<number>) {
  const [goodAt, poorAt] = THRESHOLDS[metric];
  let good = 0;
  let poor = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i]! <= goodAt) good++;
    else if (values[i]! > poorAt) poor++;
  }
  const n = values.length;
  return { good: good / n, needsImprovement: (n - good - poor) / n, poor: poor / n };
}

function expectQuantiles(sorted: Float64Array, estimates: number[], qs = QS) {
  qs.forEach((q, i) => {
    const error = rankError(sorted, estimates[i]!, q);
    expect(error, `q=${q}: estimate ${estimates[i]} has rank error ${error}`).toBeLessThanOrEqual(rankBound(q, sorted.length));
  });
}

function expectShares(metric: MetricName, values: ArrayLike<number>, row: GroupRow) {
  const exact = exactShares(metric, values);
  const n = values.length;
  const goodBound = cdfBound(exact.good, n);
  const poorBound = cdfBound(1 - exact.poor, n);
  expect(Math.abs(row.good - exact.good), `${metric} good`).toBeLessThanOrEqual(goodBound);
  expect(Math.abs(row.needsImprovement - exact.needsImprovement), `${metric} NI`).toBeLessThanOrEqual(goodBound + poorBound);
  expect(Math.abs(row.poor - exact.poor), `${metric} poor`).toBeLessThanOrEqual(poorBound);
}

const stubOf = (name: string) => env.ROUTE_DIGEST.getByName(name);

/** Hour start `hoursAgo` whole hours before the current hour. */
const hourAgo = (hoursAgo: number) => Math.floor(Date.now() / HOUR) * HOUR - hoursAgo * HOUR;

const DATA: Record<'LCP' | 'INP' | 'CLS', Float64Array> = {
  LCP: lcpLike(3_000, 11),
  INP: inpLike(3_000, 12),
  CLS: clsLike(3_000, 13),
};

describe('RouteDigest: ingest and query', () => {
  it('answers exact counts and quantiles within the digest bound, the same in the instance and through RPC', async () => {
    const stub = stubOf(digestName(unique('ingest'), '/products/:id'));
    const hour = hourAgo(3);
    const beacons = (['LCP', 'INP', 'CLS'] as const).flatMap((m) => beaconsOf(`i-${m}`, m, DATA[m], hour));
    const query = (metric: MetricName) => ({ metric, from: hour, to: hour + HOUR, interval: HOUR, qs: QS, by: 'all' as const });

    await runInDurableObject(stub, async (instance: RouteDigest) => {
      // Several ingest calls: each merges into the stored hour digest.
      for (let i = 0; i < beacons.length; i += 7) expect(await instance.ingest(beacons.slice(i, i + 7))).toBe(Math.min(7, beacons.length - i));
      for (const metric of ['LCP', 'INP', 'CLS'] as const) {
        const rows = instance.series(query(metric));
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({ time: hour, group: 'all', count: 3_000 });
        expectQuantiles(sortedOf(DATA[metric]), rows[0]!.values);
        const [group] = instance.groups({ metric, from: hour, to: hour + HOUR, by: 'all', thresholds: THRESHOLDS[metric] });
        expect(group).toMatchObject({ group: 'all', count: 3_000 });
        expect(rankError(sortedOf(DATA[metric]), group!.p75, 0.75)).toBeLessThanOrEqual(rankBound(0.75, 3_000));
        expectShares(metric, DATA[metric], group!);
      }
      expect(instance.series(query('FCP'))).toEqual([]);
      expect(instance.groups({ metric: 'TTFB', from: hour, to: hour + HOUR, by: 'all', thresholds: THRESHOLDS.TTFB })).toEqual([]);
    });

    // The RPC stub the Worker uses answers exactly what the instance answers.
    const inside = await runInDurableObject(stub, (instance: RouteDigest) => instance.series(query('LCP')));
    expect(await stub.series(query('LCP'))).toEqual(inside);
  });

  it('counts weights exactly: a beacon sampled at 10% stands for 10', async () => {
    const stub = stubOf(digestName(unique('weights')));
    const ts = hourAgo(2) + 5;
    await stub.ingest([
      digestBeacon('w-aaaaaaaa', ts, [{ n: 'LCP', v: 1_000, w: 10 }, { n: 'LCP', v: 3_000, w: 10 }]),
      digestBeacon('w-bbbbbbbb', ts, [{ n: 'LCP', v: 5_000 }]),
    ]);
    const [row] = await stub.series({ metric: 'LCP', from: ts - 5, to: ts + HOUR, interval: HOUR, qs: [0, 1], by: 'country' });
    expect(row).toMatchObject({ group: 'DE', count: 21, values: [1_000, 5_000] });
  });

  it('counts a bucket in a range when its hour starts in [from, to)', async () => {
    const stub = stubOf(digestName(unique('edges')));
    const h = hourAgo(5);
    await stub.ingest([0, 1, 2].map((k) => digestBeacon(`edge-${k}-xxxxx`, h + k * HOUR + HOUR - 1, [{ n: 'INP', v: 8 * (k + 1) }])));
    const counts = async (from: number, to: number) =>
      (await stub.series({ metric: 'INP', from, to, interval: HOUR, qs: [0.5], by: 'all' })).map((r) => [r.time, r.count]);
    expect(await counts(h, h + 3 * HOUR)).toEqual([[h, 1], [h + HOUR, 1], [h + 2 * HOUR, 1]]);
    expect(await counts(h + HOUR, h + 2 * HOUR)).toEqual([[h + HOUR, 1]]);
    expect(await counts(h, h + 3 * HOUR + 1)).toHaveLength(3);
    // Three hours in one 3 h bucket, starting at `from`.
    expect(await stub.series({ metric: 'INP', from: h, to: h + 3 * HOUR, interval: 3 * HOUR, qs: [0, 1], by: 'all' })).toEqual([
      { time: h, group: 'all', count: 3, values: [8, 24] },
    ]);
  });
});

describe('RouteDigest: exactly once', () => {
  const hour = hourAgo(4);
  const values = lcpLike(6_000, 21);
  const all = beaconsOf('dup', 'LCP', values, hour, 10_000); // 60 beacons of 100
  const query = { metric: 'LCP' as const, from: hour, to: hour + 2 * HOUR, interval: HOUR, qs: QS, by: 'all' as const };
  const groupQuery = { metric: 'LCP' as const, from: hour, to: hour + 2 * HOUR, by: 'country' as const, thresholds: THRESHOLDS.LCP };
  const total = (rows: SeriesRow[]) => rows.reduce((sum, r) => sum + r.count, 0);

  it('never double-counts a redelivered batch, in the same or another order, or partially overlapping', async () => {
    const stub = stubOf(digestName(unique('dedupe'), '/cart'));
    const first = all.slice(0, 40);
    expect(await stub.ingest(first)).toBe(40);
    const once = await stub.series(query);
    const onceGroups = await stub.groups(groupQuery);
    expect(total(once)).toBe(4_000);

    expect(await stub.ingest(first)).toBe(0);
    expect(await stub.ingest([...first].reverse())).toBe(0);
    expect(await stub.ingest([first[7]!, first[3]!, first[39]!])).toBe(0);
    // Nothing changed, not even the merged centroids.
    expect(await stub.series(query)).toEqual(once);
    expect(await stub.groups(groupQuery)).toEqual(onceGroups);

    // Overlapping: 30..59, of which 40..59 are new.
    expect(await stub.ingest(all.slice(30, 60).reverse())).toBe(20);
    // A batch holding the same beacon twice counts it once.
    const extra = digestBeacon('dup-extra-1', hour + 1, [{ n: 'LCP', v: 1_234 }]);
    expect(await stub.ingest([extra, extra, all[0]!, extra])).toBe(1);
    const rows = await stub.series(query);
    expect(total(rows)).toBe(6_001);
    expectQuantiles(sortedOf([...values, 1_234]), (await stub.series({ ...query, interval: 2 * HOUR })).at(0)!.values);
  });

  it('dedupes on the beacon id across metrics and dimensions too', async () => {
    const stub = stubOf(digestName(unique('dedupe-dims')));
    const b = digestBeacon('dd-multi-1', hour + 10, [{ n: 'LCP', v: 900 }, { n: 'CLS', v: 0 }, { n: 'INP', v: 64 }], { country: 'JP', continent: 'AS' });
    await stub.ingest([b]);
    await stub.ingest([b, b]);
    for (const metric of ['LCP', 'CLS', 'INP'] as const) {
      for (const by of ['all', ...DIMENSIONS] as const) {
        const rows = await stub.groups({ metric, from: hour, to: hour + HOUR, by, thresholds: THRESHOLDS[metric] });
        expect(rows.map((r) => [r.group, r.count]), `${metric} by ${by}`).toEqual([[by === 'all' ? 'all' : b.dims[by], 1]]);
      }
    }
  });
});

describe('RouteDigest: eviction', () => {
  it('loses nothing: answers after eviction equal those before, and beacon ids are still known', async () => {
    const stub = stubOf(digestName(unique('evict'), '/'));
    const hour = hourAgo(6);
    const beacons = [...beaconsOf('ev', 'LCP', DATA.LCP, hour, 60_000), ...beaconsOf('ev', 'CLS', DATA.CLS, hour + HOUR)];
    expect(await stub.ingest(beacons)).toBe(beacons.length);
    const series = { metric: 'LCP' as const, from: hour, to: hour + 3 * HOUR, interval: HOUR, qs: QS, by: 'all' as const };
    const before = {
      lcp: await stub.series(series),
      cls: await stub.series({ ...series, metric: 'CLS' }),
      groups: await stub.groups({ metric: 'CLS', from: hour, to: hour + 3 * HOUR, by: 'device', thresholds: THRESHOLDS.CLS }),
    };
    expect(before.lcp.reduce((s, r) => s + r.count, 0)).toBe(3_000);

    await evictDurableObject(stub);

    const after = {
      lcp: await stub.series(series),
      cls: await stub.series({ ...series, metric: 'CLS' }),
      groups: await stub.groups({ metric: 'CLS', from: hour, to: hour + 3 * HOUR, by: 'device', thresholds: THRESHOLDS.CLS }),
    };
    expect(after).toEqual(before);
    expect(await stub.ingest(beacons.slice(0, 5))).toBe(0);
    await evictDurableObject(stub);
    expect(await stub.series(series)).toEqual(before.lcp);
  });
});

type DigestRow = { metric: string; dim: string; value: string; grain: number; bucket: number; count: number };
const storedRows = (stub: DurableObjectStub<RouteDigest>) =>
  runInDurableObject(stub, (_instance: RouteDigest, state) =>
    state.storage.sql.exec<DigestRow>('SELECT metric, dim, value, grain, bucket, count FROM digests ORDER BY metric, dim, value, grain, bucket').toArray(),
  );

describe('RouteDigest: compaction alarm', () => {
  it('turns hour digests older than 14 days into day digests without changing any answer', async () => {
    const stub = stubOf(digestName(unique('compact'), '/products/:id'));
    const oldDay = Math.floor((Date.now() - 20 * DAY) / DAY) * DAY;
    const recent = hourAgo(2);
    // Old data in three hours of one day, and in two countries; recent data in two hours.
    const oldLcp = lcpLike(2_400, 31);
    const oldBeacons = beaconsOf('old', 'LCP', oldLcp, oldDay + 5 * HOUR, 450_000).map((b, i) => ({
      ...b,
      dims: { ...b.dims, country: i % 2 ? 'FR' : 'DE' },
    }));
    const oldInp = beaconsOf('old', 'INP', DATA.INP, oldDay + 9 * HOUR, 60_000);
    const recentLcp = lcpLike(1_000, 32);
    const recentBeacons = beaconsOf('new', 'LCP', recentLcp, recent, 600_000);
    expect(await stub.ingest([...oldBeacons, ...oldInp, ...recentBeacons])).toBe(24 + 30 + 10);

    const alarmAt = await runInDurableObject(stub, (_i: RouteDigest, state) => state.storage.getAlarm());
    expect(alarmAt).not.toBeNull();
    expect(alarmAt!).toBeGreaterThan(Date.now());

    const from = oldDay;
    const to = recent + 2 * HOUR;
    const daily = (metric: MetricName) => stub.series({ metric, from, to, interval: DAY, qs: QS, by: 'all' });
    const byCountry = () => stub.groups({ metric: 'LCP', from, to, by: 'country', thresholds: THRESHOLDS.LCP });
    const before = { lcp: await daily('LCP'), inp: await daily('INP'), countries: await byCountry() };
    const beforeRows = await storedRows(stub);
    // Before the alarm the old day has its hours and its day roll-up (same values, counted once by queries).
    const oldAll = beforeRows.filter((r) => r.metric === 'LCP' && r.dim === 'all' && r.bucket < oldDay + DAY);
    expect(new Set(oldAll.filter((r) => r.grain === HOUR).map((r) => r.bucket)).size).toBeGreaterThan(2);
    expect(oldAll.filter((r) => r.grain === DAY).map((r) => [r.bucket, r.count])).toEqual([[oldDay, 2_400]]);

    expect(await runDurableObjectAlarm(stub)).toBe(true);

    const now = Date.now();
    const cutoff = Math.floor((now - COMPACT_AFTER) / DAY) * DAY;
    const rows = await storedRows(stub);
    expect(rows.filter((r) => r.grain === HOUR && r.bucket < cutoff)).toEqual([]);
    // Old days keep only their roll-ups; recent days have roll-ups beside their hours.
    const dayRows = rows.filter((r) => r.grain === DAY && r.bucket < cutoff);
    expect(dayRows.length).toBeGreaterThan(0);
    expect(dayRows.every((r) => r.bucket === oldDay)).toBe(true);
    expect(dayRows.find((r) => r.metric === 'LCP' && r.dim === 'all')?.count).toBe(2_400);
    expect(dayRows.find((r) => r.metric === 'LCP' && r.dim === 'country' && r.value === 'FR')?.count).toBe(1_200);
    expect(dayRows.find((r) => r.metric === 'INP' && r.dim === 'all')?.count).toBe(3_000);
    // Recent hours are untouched.
    expect(rows.filter((r) => r.bucket >= recent)).toEqual(beforeRows.filter((r) => r.bucket >= recent));
    // The alarm keeps itself scheduled.
    expect(await runInDurableObject(stub, (_i: RouteDigest, state) => state.storage.getAlarm())).not.toBeNull();

    const after = { lcp: await daily('LCP'), inp: await daily('INP'), countries: await byCountry() };
    const countsOf = (r: SeriesRow[]) => r.map(({ time, group, count }) => ({ time, group, count }));
    expect(countsOf(after.lcp)).toEqual(countsOf(before.lcp));
    expect(countsOf(after.inp)).toEqual(countsOf(before.inp));
    expect(after.countries.map((g) => [g.group, g.count])).toEqual(before.countries.map((g) => [g.group, g.count]));
    expect(after.lcp[0]!.time).toBe(oldDay);
    expectQuantiles(sortedOf(oldLcp), after.lcp[0]!.values);
    // The two recent hours may straddle midnight: ask for them as one bucket.
    const [recentRow] = await stub.series({ metric: 'LCP', from: recent, to, interval: 2 * HOUR, qs: QS, by: 'all' });
    expect(recentRow!.count).toBe(1_000);
    expectQuantiles(sortedOf(recentLcp), recentRow!.values);
    expectQuantiles(sortedOf(DATA.INP), after.inp[0]!.values);
    const allLcp = sortedOf([...oldLcp, ...recentLcp]);
    const [whole] = await stub.series({ metric: 'LCP', from, to, interval: to - from + HOUR, qs: QS, by: 'all' });
    expect(whole!.count).toBe(3_400);
    expectQuantiles(allLcp, whole!.values);
    const [wholeGroup] = await stub.groups({ metric: 'LCP', from, to, by: 'all', thresholds: THRESHOLDS.LCP });
    expectShares('LCP', allLcp, wholeGroup!);

    // A late beacon for the compacted day lands in an hour row, and the next alarm merges it into the day row.
    expect(await stub.ingest([digestBeacon('old-late-1', oldDay + 23 * HOUR, [{ n: 'LCP', v: 2_000 }])])).toBe(1);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const again = await storedRows(stub);
    expect(again.filter((r) => r.grain === HOUR && r.bucket < cutoff)).toEqual([]);
    expect(again.find((r) => r.metric === 'LCP' && r.dim === 'all' && r.grain === DAY)?.count).toBe(2_401);
    expect((await daily('LCP'))[0]!.count).toBe(2_401);
  });

  it('remembers beacon ids for 7 days from ingestion, even for late beacons, then forgets them', async () => {
    const stub = stubOf(digestName(unique('seen')));
    // A beacon whose own time is older than the retention is still deduped: ids age from ingestion.
    const late = digestBeacon('seen-late-1', Date.now() - SEEN_RETENTION - DAY, [{ n: 'FCP', v: 1_000 }]);
    const fresh = digestBeacon('seen-new-1', Date.now() - HOUR, [{ n: 'FCP', v: 1_000 }]);
    await stub.ingest([late, fresh]);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.ingest([late, fresh])).toBe(0);
    // Eight days later (compact takes the clock as an argument) both are forgotten.
    const seen = await runInDurableObject(stub, (instance: RouteDigest, state) => {
      instance.compact(Date.now() + SEEN_RETENTION + DAY);
      return state.storage.sql.exec<{ bid: string }>('SELECT bid FROM seen').toArray();
    });
    expect(seen).toEqual([]);
  });
});

describe('RouteDigest: retention', () => {
  it('drops digests older than DIGEST_RETENTION_DAYS (400) on the alarm and keeps younger ones', async () => {
    expect(env.DIGEST_RETENTION_DAYS).toBe('400');
    const stub = stubOf(digestName(unique('retention')));
    const now = Date.now();
    await stub.ingest([
      digestBeacon('ret-401-days', now - 401 * DAY, [{ n: 'TTFB', v: 100 }]),
      digestBeacon('ret-450-days', now - 450 * DAY, [{ n: 'TTFB', v: 200 }]),
      digestBeacon('ret-398-days', now - 398 * DAY, [{ n: 'TTFB', v: 300 }]),
      digestBeacon('ret-recent-1', now - 3 * HOUR, [{ n: 'TTFB', v: 400 }]),
    ]);
    const range = { metric: 'TTFB' as const, from: Math.floor((now - 500 * DAY) / HOUR) * HOUR, to: now, interval: 600 * DAY, qs: [0, 1], by: 'all' as const };
    expect((await stub.series(range))[0]).toMatchObject({ count: 4, values: [100, 400] });

    expect(await runDurableObjectAlarm(stub)).toBe(true);

    const rows = await storedRows(stub);
    expect(rows.filter((r) => r.bucket < now - 400 * DAY)).toEqual([]);
    // Left: the 398-day-old day roll-up, and the recent value's hour and day roll-up.
    expect(rows.filter((r) => r.dim === 'all').map((r) => [r.grain, r.count]).sort((a, b) => a[0]! - b[0]!)).toEqual([
      [HOUR, 1],
      [DAY, 1],
      [DAY, 1],
    ]);
    expect((await stub.series(range))[0]).toMatchObject({ count: 2, values: [300, 400] });
    // Something is left to age, so the alarm stays scheduled.
    expect(await runInDurableObject(stub, (_i: RouteDigest, state) => state.storage.getAlarm())).not.toBeNull();
  });

  it('stops waking up once everything has expired, and starts again with the next beacon', async () => {
    const stub = stubOf(digestName(unique('asleep'), '/gone'));
    const now = Date.now();
    await stub.ingest([digestBeacon('asleep-old-1', now - 450 * DAY, [{ n: 'LCP', v: 100 }])]);
    const alarm = () => runInDurableObject(stub, (_i: RouteDigest, state) => state.storage.getAlarm());
    expect(await alarm()).not.toBeNull();
    // The beacon id ages from ingestion: on an alarm 8 days on, nothing is left.
    const left = await runInDurableObject(stub, (instance: RouteDigest) => instance.compact(now + SEEN_RETENTION + DAY).left);
    expect(left).toBe(false);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await alarm()).toBeNull();
    expect(await storedRows(stub)).toEqual([]);
    await stub.ingest([digestBeacon('asleep-new-1', now - HOUR, [{ n: 'LCP', v: 200 }])]);
    expect(await alarm()).not.toBeNull();
  });

  it('follows DIGEST_RETENTION_DAYS when it is set, and falls back to 400 days when it is not a positive number', async () => {
    const stub = stubOf(digestName(unique('retention-var')));
    const now = Date.now();
    await stub.ingest([
      digestBeacon('rv-40-days-old', now - 40 * DAY, [{ n: 'FCP', v: 100 }]),
      digestBeacon('rv-20-days-old', now - 20 * DAY, [{ n: 'FCP', v: 200 }]),
      digestBeacon('rv-500-days-o', now - 500 * DAY, [{ n: 'FCP', v: 300 }]),
    ]);
    const allDays = () => storedRows(stub).then((rows) => rows.filter((r) => r.dim === 'all').map((r) => r.count).length);
    await runInDurableObject(stub, (instance: RouteDigest) => {
      // The object reads the variable from its env on every compaction.
      const held = instance as unknown as { env: Env };
      const original = held.env;
      try {
        held.env = { ...original, DIGEST_RETENTION_DAYS: 'forever' };
        expect(instance.compact(now).expired).toBeGreaterThan(0); // the 500-day-old digest, under the 400-day default
        held.env = { ...original, DIGEST_RETENTION_DAYS: '30' };
        instance.compact(now);
      } finally {
        held.env = original;
      }
    });
    expect(await allDays()).toBe(1);
    const [row] = await stub.series({ metric: 'FCP', from: 0, to: now, interval: 700 * DAY, qs: [0.5], by: 'all' });
    expect(row).toMatchObject({ count: 1, values: [200] });
  });
});

describe('RouteDigest: dimensions', () => {
  it('groups by country, continent, device, browser, os and connection with exact per-group counts', async () => {
    const stub = stubOf(digestName(unique('dims'), '/search'));
    const hour = hourAgo(7);
    const choices: Record<Dimension, string[]> = {
      country: ['DE', 'FR', 'US', 'JP', 'BR', 'XX'],
      continent: ['EU', 'NA', 'AS', 'SA', 'XX'],
      device: ['desktop', 'mobile', 'tablet'],
      browser: ['Chrome', 'Safari', 'Firefox', 'Samsung Internet for Android'],
      os: ['Windows', 'iOS', 'Android', 'macOS'],
      connection: ['4g', '3g', 'unknown'],
    };
    const values = lcpLike(2_000, 41);
    const beacons: DigestBeacon[] = [];
    const expected = new Map<string, { count: number; values: number[] }>();
    for (let b = 0; b < 200; b++) {
      // Co-prime strides give every combination its own mix.
      const dims = Object.fromEntries(DIMENSIONS.map((d, k) => [d, choices[d][(b * (k + 2) + k) % choices[d].length]!])) as Record<Dimension, string>;
      const slice = Array.from(values.subarray(b * 10, b * 10 + 10)).slice(0, 1 + (b % 10));
      beacons.push(digestBeacon(`dims-${b}-beacon`, hour + b * 1_000, slice.map((v) => ({ n: 'LCP', v })), dims));
      for (const d of DIMENSIONS) {
        const entry = expected.get(`${d}\n${dims[d]}`) ?? { count: 0, values: [] };
        entry.count += slice.length;
        entry.values.push(...slice);
        expected.set(`${d}\n${dims[d]}`, entry);
      }
    }
    const total = beacons.reduce((s, b) => s + b.values.length, 0);
    await stub.ingest(beacons.slice(0, 100));
    await stub.ingest(beacons.slice(100));

    for (const dim of DIMENSIONS) {
      const want = [...expected]
        .filter(([key]) => key.startsWith(`${dim}\n`))
        .map(([key, e]) => [key.slice(dim.length + 1), e.count] as const)
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
      const groups = await stub.groups({ metric: 'LCP', from: hour, to: hour + HOUR, by: dim, thresholds: THRESHOLDS.LCP });
      expect(groups.map((g) => [g.group, g.count]), dim).toEqual(want);
      expect(groups.reduce((s, g) => s + g.count, 0)).toBe(total);
      for (const g of groups) {
        const mine = sortedOf(expected.get(`${dim}\n${g.group}`)!.values);
        expect(rankError(mine, g.p75, 0.75), `${dim}=${g.group} p75`).toBeLessThanOrEqual(rankBound(0.75, mine.length));
        expectShares('LCP', mine, g);
      }
      const series = await stub.series({ metric: 'LCP', from: hour, to: hour + HOUR, interval: HOUR, qs: [0.5], by: dim });
      expect(series.map((r) => [r.group, r.count]).sort(), dim).toEqual(want.map(([g, c]) => [g, c]).sort());
      expect(series.every((r) => r.time === hour)).toBe(true);
    }
  });
});

describe('RouteDigest: site-level object', () => {
  function enriched(site: string, route: string, bid: string, ts: number, country: string, events: EnrichedBeacon['events']): EnrichedBeacon {
    return {
      v: 1,
      bid,
      site,
      session: 'session-hmac',
      ts,
      pv: { id: `pv-${bid}`, path: route.replace(':id', '7'), route, nav: 'navigate' },
      pvWeight: 1,
      ctx: { ect: '3g' },
      geo: { country, continent: country === 'US' ? 'NA' : 'EU', colo: 'FRA' },
      agent: { browser: 'Safari', browserVersion: 17, os: 'iOS', device: 'mobile' },
      ipPrefix: null,
      events,
    };
  }

  it('sees the values of every route, while each route object sees only its own (through feedDigests)', async () => {
    const site = unique('site');
    const hour = hourAgo(3);
    const routes = ['/', '/products/:id', '/checkout'];
    const values = lcpLike(2_700, 51);
    const perRoute = new Map<string, number[]>(routes.map((r) => [r, []]));
    const beacons: EnrichedBeacon[] = [];
    for (let b = 0; b < 27; b++) {
      const route = routes[b % 3]!;
      const slice = Array.from(values.subarray(b * 100, b * 100 + 100));
      perRoute.get(route)!.push(...slice);
      beacons.push(
        enriched(site, route, `site-${b}-beacon`, hour + b * 60_000, b % 2 ? 'US' : 'DE', [
          ...slice.map((v) => ({ t: 'm' as const, n: 'LCP' as const, v, w: 1 })),
        ]),
      );
    }
    // A beacon with only an error feeds no digest; another site's beacon stays there.
    beacons.push(enriched(site, '/', 'site-error-only', hour, 'DE', [{ t: 'err', k: 'error', msg: 'boom', c: 1, w: 1 }]));
    beacons.push(enriched(`${site}-other`, '/', 'site-other-1', hour, 'DE', [{ t: 'm', n: 'LCP', v: 99_999, w: 1 }]));

    await feedDigests(env.ROUTE_DIGEST, beacons);
    await feedDigests(env.ROUTE_DIGEST, [...beacons].reverse()); // a redelivered batch

    const query = { metric: 'LCP' as const, from: hour, to: hour + HOUR, interval: HOUR, qs: QS, by: 'all' as const };
    const [siteRow] = await stubOf(digestName(site)).series(query);
    expect(siteRow!.count).toBe(2_700);
    expectQuantiles(sortedOf(values), siteRow!.values);
    for (const route of routes) {
      const [row] = await stubOf(digestName(site, route)).series(query);
      expect(row!.count, route).toBe(900);
      expectQuantiles(sortedOf(perRoute.get(route)!), row!.values);
    }
    const countries = await stubOf(digestName(site)).groups({ metric: 'LCP', from: hour, to: hour + HOUR, by: 'country', thresholds: THRESHOLDS.LCP });
    expect(countries.map((g) => [g.group, g.count])).toEqual([['DE', 1_400], ['US', 1_300]]);
    const connection = await stubOf(digestName(site)).groups({ metric: 'LCP', from: hour, to: hour + HOUR, by: 'connection', thresholds: THRESHOLDS.LCP });
    expect(connection.map((g) => [g.group, g.count])).toEqual([['3g', 2_700]]);
    const [other] = await stubOf(digestName(`${site}-other`)).series(query);
    expect(other).toMatchObject({ count: 1, values: [99_999, 99_999, 99_999, 99_999, 99_999] });
  });
});
