/**
 * The query API (`/api/v1`) through the Worker's `fetch`: bearer auth on
 * every route, readable 400s, and end to end: beacons posted to `/collect`,
 * their queue messages delivered to the Worker's `queue()` handler, then
 * every answer checked against what was sent (counts exactly, percentiles
 * and shares within the t-digest's bound).
 */
import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { clsLike, inpLike, lcpLike, rankError } from '../../bench/data.ts';
import { MAX_BUCKETS } from '../../worker/api/params.ts';
import worker from '../../worker/index.ts';
import { METRIC_NAMES, type BeaconInput, type MetricName } from '../../worker/schema/beacon.ts';
import type { EnrichedBeacon } from '../../worker/schema/enriched.ts';
import { rate, THRESHOLDS } from '../../worker/store/rating.ts';
import { makeScale } from '../../worker/tdigest/scale.ts';
import { DEFAULT_COMPRESSION } from '../../worker/tdigest/tdigest.ts';
import { CHROME_UA, IPHONE_UA, makeBeacon, newId } from '../helpers/beacon.ts';
import { recordingEnv } from './recording-env.ts';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const TOKEN = 'test-api-token';
const QS = [50, 75, 90, 95, 99];
type Json = Record<string, any>;

// --------------------------------------------------------------------------- bounds

/**
 * Half the widest centroid the digest may keep at quantile q (share of the
 * weight): scale.ts lets a centroid at q span a * (q(1-q))^(3/4), a = 16 /
 * compression, compression 200 when stored; inside it the digest
 * interpolates, so an answer can be off by up to half of it.
 */
const halfCentroid = (q: number) => (makeScale(DEFAULT_COMPRESSION).a * (q * (1 - q)) ** 0.75) / 2;

/**
 * Rank-error bound of a percentile: 1.5e-4 + 1/n (the digest's p99 target
 * plus one sample), plus half a centroid at q. With a few thousand values a
 * centroid near p99 holds ~7 values, so 1.5e-4 + 1/n alone (1.4 samples at
 * n = 3,000) is met only at much larger n; see the report of this test.
 */
const rankBound = (q: number, n: number) => 1.5e-4 + 1 / n + halfCentroid(q);

/**
 * Good / needs-improvement / poor shares are cdf values at the thresholds
 * (or a difference of two): a cdf value p is off by at most half the
 * centroid at p plus one sample. At p = 0.5 and n = 1,000 that is 1.5%.
 */
const cdfBound = (p: number, n: number) => 1 / n + halfCentroid(p);

// --------------------------------------------------------------------------- Worker I/O

let testEnv: Env;
let recorded: ReturnType<typeof recordingEnv>['recorded'];
function freshEnv() {
  ({ env: testEnv, recorded } = recordingEnv(env));
}

async function collect(beacon: BeaconInput, headers: Record<string, string> = {}) {
  const ctx = createExecutionContext();
  const response = await worker.fetch(
    new Request('https://site.example/collect', {
      method: 'POST',
      body: JSON.stringify(beacon),
      headers: { 'Content-Type': 'text/plain;charset=UTF-8', 'User-Agent': CHROME_UA, ...headers },
    }),
    testEnv,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  expect(response.status).toBe(202);
}

/** Delivers queue messages to the Worker's consumer in batches of 20, like the Queue (wrangler.toml). */
async function deliver(bodies: EnrichedBeacon[], batchSize = 20) {
  for (let i = 0; i < bodies.length; i += batchSize) {
    const ctx = createExecutionContext();
    const batch = createMessageBatch<EnrichedBeacon>(
      'edge-rum-beacons',
      bodies.slice(i, i + batchSize).map((body, k) => ({ id: `m${i + k}`, timestamp: new Date(), attempts: 1, body })),
    );
    await worker.queue(batch, testEnv, ctx);
    expect((await getQueueResult(batch, ctx)).ackAll).toBe(true);
  }
}

async function api(path: string, params: Record<string, string | number | undefined>, headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}` }, env_ = testEnv) {
  const url = new URL(`https://rum.example/api/v1${path}`);
  for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(key, String(value));
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(url, { headers }), env_, ctx);
  await waitOnExecutionContext(ctx);
  const text = await response.text();
  let body: Json;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${path}: not JSON (${response.status}): ${text.slice(0, 200)}`);
  }
  return { status: response.status, body, headers: response.headers };
}

/** A 200 answer's rows. */
async function rows(path: string, params: Record<string, string | number | undefined>): Promise<Json[]> {
  const { status, body } = await api(path, params);
  expect(status, `${path} ${JSON.stringify(params)}: ${JSON.stringify(body)}`).toBe(200);
  expect(Array.isArray(body.data)).toBe(true);
  return body.data;
}

let sequence = 0;
const uniqueSite = (label: string) => `${label}-${Date.now().toString(36)}-${(sequence++).toString(36)}`;

const sortedOf = (values: ArrayLike<number>) => Float64Array.from(values).sort();

function expectPercentiles(row: Json, values: number[], label: string) {
  const sorted = sortedOf(values);
  expect(row.count, `${label} count`).toBe(values.length);
  for (const q of QS) {
    const estimate = row[`p${q}`];
    expect(typeof estimate, `${label} p${q}`).toBe('number');
    const error = rankError(sorted, estimate, q / 100);
    expect(error, `${label} p${q} = ${estimate}: rank error ${error}`).toBeLessThanOrEqual(rankBound(q / 100, sorted.length));
  }
}

function exactShares(metric: MetricName, values: number[]) {
  const [goodAt, poorAt] = THRESHOLDS[metric];
  const good = values.filter((v) => v <= goodAt).length / values.length;
  const poor = values.filter((v) => v > poorAt).length / values.length;
  return { good, needsImprovement: 1 - good - poor, poor };
}

function expectShares(metric: MetricName, row: Json, values: number[], label: string) {
  const exact = exactShares(metric, values);
  const goodBound = cdfBound(exact.good, values.length);
  const poorBound = cdfBound(1 - exact.poor, values.length);
  expect(Math.abs(row.good - exact.good), `${label} good ${row.good} vs ${exact.good}`).toBeLessThanOrEqual(goodBound);
  expect(Math.abs(row.needsImprovement - exact.needsImprovement), `${label} NI`).toBeLessThanOrEqual(goodBound + poorBound);
  expect(Math.abs(row.poor - exact.poor), `${label} poor ${row.poor} vs ${exact.poor}`).toBeLessThanOrEqual(poorBound);
  expect(row.good + row.needsImprovement + row.poor).toBeCloseTo(1, 9);
}

// --------------------------------------------------------------------------- the data set

const ROUTES = ['/', '/products/:id', '/checkout'];
const COUNTRIES = ['DE', 'US', 'JP', 'BR'];
const ERRORS = [
  { k: 'error' as const, msg: 'TypeError: cart is undefined', stack: 'TypeError: cart is undefined\n    at render (https://site.example/app.js:10:5)' },
  { k: 'rejection' as const, msg: 'NetworkError when attempting to fetch resource.' },
];

interface Sent {
  site: string;
  values: Record<MetricName, number[]>;
  byRoute: Map<string, Record<MetricName, number[]>>;
  byCountry: Map<string, Record<MetricName, number[]>>;
  byDevice: Map<string, Record<MetricName, number[]>>;
  pageViews: Map<string, Set<string>>;
  errors: Map<string, { count: number; pageViews: Set<string>; routes: Set<string> }>;
  beacons: number;
}

const emptyMetrics = (): Record<MetricName, number[]> => ({ LCP: [], INP: [], CLS: [], FCP: [], TTFB: [] });

/**
 * 7,800 metric values (LCP 3,000, INP 2,000, CLS 2,000, FCP 800; no TTFB)
 * interleaved into beacons of 90 values, two beacons per page view, page
 * views spread over three routes, four countries and two devices; every
 * third beacon also carries two errors. Posted to /collect.
 */
async function sendDataSet(site: string): Promise<Sent> {
  const streams: Record<string, Float64Array> = {
    LCP: lcpLike(3_000, 101),
    INP: inpLike(2_000, 102),
    CLS: clsLike(2_000, 103),
    FCP: lcpLike(800, 104).map((v) => Math.round(v * 0.6)),
  };
  const events: { n: MetricName; v: number }[] = [];
  for (let i = 0; events.length < 7_800; i++) {
    for (const [n, values] of Object.entries(streams)) if (i < values.length) events.push({ n: n as MetricName, v: values[i]! });
  }
  const sent: Sent = {
    site,
    values: emptyMetrics(),
    byRoute: new Map(),
    byCountry: new Map(),
    byDevice: new Map(),
    pageViews: new Map(ROUTES.map((r) => [r, new Set<string>()])),
    errors: new Map(),
    beacons: 0,
  };
  const pvIds: string[] = [];
  for (let b = 0; b * 90 < events.length; b++) {
    const p = Math.floor(b / 2);
    pvIds[p] ??= newId('pv');
    const route = ROUTES[p % ROUTES.length]!;
    const country = COUNTRIES[p % COUNTRIES.length]!;
    const mobile = p % 5 < 2;
    const metrics = events.slice(b * 90, b * 90 + 90);
    const errors = b % 3 === 0 ? ERRORS.map((e, k) => ({ t: 'err' as const, ...e, c: k === 0 ? 1 + (b % 4) : 1 })) : [];
    await collect(
      makeBeacon({
        site,
        pv: { id: pvIds[p]!, path: route.replace(':id', String(p)), route, nav: 'navigate' },
        e: [...metrics.map((m) => ({ t: 'm' as const, ...m })), ...errors],
      }),
      { 'CF-IPCountry': country, 'User-Agent': mobile ? IPHONE_UA : CHROME_UA },
    );
    sent.beacons += 1;
    sent.pageViews.get(route)!.add(pvIds[p]!);
    for (const [map, key] of [[sent.byRoute, route], [sent.byCountry, country], [sent.byDevice, mobile ? 'mobile' : 'desktop']] as const) {
      if (!map.has(key)) map.set(key, emptyMetrics());
      for (const m of metrics) map.get(key)![m.n].push(m.v);
    }
    for (const m of metrics) sent.values[m.n].push(m.v);
    for (const e of errors) {
      const entry = sent.errors.get(e.msg) ?? { count: 0, pageViews: new Set<string>(), routes: new Set<string>() };
      entry.count += e.c;
      entry.pageViews.add(pvIds[p]!);
      entry.routes.add(route);
      sent.errors.set(e.msg, entry);
    }
  }
  return sent;
}

// --------------------------------------------------------------------------- auth

const ROUTE_QUERIES: [string, Record<string, string>][] = [
  ['/routes', {}],
  ['/percentiles', { metric: 'LCP' }],
  ['/breakdown', { metric: 'LCP', by: 'country' }],
  ['/errors', {}],
  ['/summary', {}],
];

describe('API auth', () => {
  const site = uniqueSite('auth');
  beforeAll(async () => {
    freshEnv();
    await collect(makeBeacon({ site, e: [{ t: 'm', n: 'LCP', v: 4321 }, { t: 'err', k: 'error', msg: 'SecretLeakProbe' }] }), { 'CF-IPCountry': 'NZ' });
    await deliver(recorded.messages);
  });

  const wrong: [string, Record<string, string>][] = [
    ['no header', {}],
    ['a wrong token', { Authorization: 'Bearer wrong-token' }],
    ['the token plus a character', { Authorization: `Bearer ${TOKEN}x` }],
    ['a prefix of the token', { Authorization: `Bearer ${TOKEN.slice(0, -1)}` }],
    ['the token without a scheme', { Authorization: TOKEN }],
    ['Basic auth', { Authorization: `Basic ${btoa(`user:${TOKEN}`)}` }],
    ['an empty bearer', { Authorization: 'Bearer ' }],
    ['the token in another header', { 'X-Api-Token': TOKEN }],
  ];

  for (const [path, query] of [...ROUTE_QUERIES, ['/no-such-route', {}] as [string, Record<string, string>]]) {
    it.each(wrong)(`${path}: 401 with %s, and nothing but the error in the body`, async (_label, headers) => {
      const params = { site, from: Date.now() - DAY, to: Date.now() + HOUR, ...query, token: TOKEN, access_token: TOKEN };
      const { status, body, headers: answer } = await api(path, params, headers);
      expect(status).toBe(401);
      expect(body).toEqual({ error: 'missing or wrong bearer token' });
      expect(answer.get('WWW-Authenticate')).toMatch(/^Bearer/);
    });
  }

  it('answers with the right token (scheme in any case), and refuses everything when no token is configured', async () => {
    const params = { site, from: Date.now() - DAY, to: Date.now() + HOUR };
    for (const [path, query] of ROUTE_QUERIES) {
      const ok = await api(path, { ...params, ...query }, { Authorization: `bearer  ${TOKEN}` });
      expect(ok.status, path).toBe(200);
      const unset = await api(path, { ...params, ...query }, { Authorization: `Bearer ${TOKEN}` }, recordingEnv(env, { API_TOKEN: '' }).env);
      expect(unset.status, path).toBe(401);
      expect(JSON.stringify(unset.body)).not.toMatch(/4321|SecretLeakProbe|NZ|LCP/);
    }
    const summary = (await api('/summary', params)).body.data as Json[];
    expect(summary.find((r) => r.metric === 'LCP')).toMatchObject({ count: 1, p75: 4321 });
  });
});

// --------------------------------------------------------------------------- 400s

describe('API: 400 with a readable error', () => {
  const site = uniqueSite('bad');
  const to = Math.floor(Date.now() / HOUR) * HOUR;
  const from = to - DAY;

  async function expect400(path: string, params: Record<string, string | number | undefined>, reason: RegExp) {
    const { status, body, headers } = await api(path, params);
    expect(status, `${path} ${JSON.stringify(params)} -> ${JSON.stringify(body)}`).toBe(400);
    expect(headers.get('Content-Type')).toMatch(/application\/json/);
    expect(Object.keys(body)).toEqual(['error']);
    expect(typeof body.error).toBe('string');
    expect(body.error).toMatch(reason);
    expect(body.error.length).toBeLessThan(300);
  }

  it.each([
    ['/percentiles', 'FID'],
    ['/percentiles', 'lcp'],
    ['/percentiles', ''],
    ['/breakdown', 'CLS '],
    ['/breakdown', undefined],
  ])('%s: unknown or missing metric %j', async (path, metric) => {
    await expect400(path, { site, from, to, metric, by: 'country' }, /metric must be one of LCP, INP, CLS, FCP, TTFB/);
  });

  it.each([
    ['/percentiles', 'city'],
    ['/percentiles', ''],
    ['/breakdown', 'all'],
    ['/breakdown', 'Country'],
    ['/breakdown', undefined],
  ])('%s: unknown or missing `by` %j', async (path, by) => {
    await expect400(path, { site, from, to, metric: 'LCP', by }, /by must be one of country, continent, device, browser, os, connection/);
  });

  it.each(ROUTE_QUERIES)('%s: `from` after `to`', async (path, query) => {
    await expect400(path, { site, from: to + 1, to, ...query }, /from.*is after.*to/);
    await expect400(path, { site, from: new Date(to + HOUR).toISOString(), to: new Date(to).toISOString(), ...query }, /from.*is after.*to/);
  });

  it.each(['101', '-1', '100.5', 'abc', '50,,abc', '', ',', '50;75', 'Infinity', 'NaN', '1,2,3,4,5,6,7,8,9,10,11'])('/percentiles: quantiles %j', async (q) => {
    await expect400('/percentiles', { site, from, to, metric: 'LCP', q }, /q must be 1-10 comma-separated percentiles between 0 and 100/);
  });

  it('/percentiles: at most 5,000 buckets', async () => {
    expect(MAX_BUCKETS).toBe(5_000);
    const start = to - 5_000 * HOUR;
    expect(await rows('/percentiles', { site, from: start, to, metric: 'LCP', interval: '1h' })).toEqual([]);
    await expect400('/percentiles', { site, from: start, to: to + 1, metric: 'LCP', interval: '1h' }, /interval: interval gives 5001 buckets; at most 5000/);
    await expect400('/percentiles', { site, from: to - 300 * DAY, to, metric: 'LCP', interval: '3600000' }, /7200 buckets; at most 5000/);
    // Sub-hour intervals are rounded up to an hour, so they count as hours.
    await expect400('/percentiles', { site, from: to - 300 * DAY, to, metric: 'LCP', interval: '5m' }, /7200 buckets/);
    expect(await rows('/percentiles', { site, from: to - 300 * DAY, to, metric: 'LCP', interval: '1d' })).toEqual([]);
  });

  it.each(['0', '0h', '-1h', '1y', 'h', '1.h', 'one hour', ''])('/percentiles: interval %j', async (interval) => {
    await expect400('/percentiles', { site, from, to, metric: 'LCP', interval }, /not an interval/);
  });

  it.each(ROUTE_QUERIES)('%s: missing or malformed site', async (path, query) => {
    await expect400(path, { from, to, ...query }, /^site: /);
    await expect400(path, { site: 'Shop', from, to, ...query }, /site is required: 1-64 of \[a-z0-9._-\]/);
    await expect400(path, { site: '', from, to, ...query }, /site/);
  });

  it.each(['yesterday', '2024-13-45', '1e12', '12:00', '9'.repeat(17), 'NaN', ''])('every route: unparseable time %j', async (time) => {
    for (const [path, query] of ROUTE_QUERIES) {
      await expect400(path, { site, from: time, to, ...query }, /^from: not a time: .* \(epoch ms or ISO 8601\)/);
      await expect400(path, { site, from, to: time, ...query }, /^to: not a time/);
    }
  });

  // FAILS (bug in worker/api/params.ts `time`): anything that is not all digits
  // goes to Date.parse, whose legacy (non-ISO) parser reads "-5" as 2001-05-01,
  // "1.5" as 2001-01-05 and "-2024" as 2024-01-01, so a negative or fractional
  // epoch is silently taken as a date in 2000-2024 instead of being refused.
  it.each(['-5', '-1', '1.5', '0.5', '-2024'])('every route: a negative or fractional epoch %j is not a time', async (time) => {
    const day = '2001-05-02T00:00:00Z';
    for (const [path, query] of ROUTE_QUERIES) {
      await expect400(path, { site, from: time, to: day, ...query, interval: '1d' }, /^from: not a time/);
    }
  });

  it('every route: a range longer than 800 days', async () => {
    for (const [path, query] of ROUTE_QUERIES) await expect400(path, { site, from: to - 801 * DAY, to, ...query, interval: '1d' }, /range longer than 800 days/);
  });

  it.each(['0', '501', '2.5', 'ten', ''])('/errors: limit %j', async (limit) => {
    await expect400('/errors', { site, from, to, limit }, /^limit: /);
  });
});

// --------------------------------------------------------------------------- end to end

describe('API end to end: /collect -> queue -> D1 and digests -> /api/v1', () => {
  let sent: Sent;
  let messages: EnrichedBeacon[];
  let range: { from: number; to: number };

  beforeAll(async () => {
    freshEnv();
    const start = Date.now();
    sent = await sendDataSet(uniqueSite('e2e'));
    messages = [...recorded.messages];
    expect(messages).toHaveLength(sent.beacons);
    // Partly overlapping deliveries, as after a consumer failure: 0..59, then 50..end.
    await deliver(messages.slice(0, 60));
    await deliver(messages.slice(50));
    range = { from: Math.floor(start / HOUR) * HOUR - HOUR, to: Date.now() + HOUR };
  }, 120_000);

  /** One bucket over the whole range (the data may straddle an hour). */
  const percentiles = (params: Record<string, string | undefined>) =>
    rows('/percentiles', { site: sent.site, ...range, interval: '1d', q: QS.join(','), ...params });

  it('/percentiles per metric, site-level (all routes): exact counts, percentiles within the bound, time = bucket start', async () => {
    for (const metric of ['LCP', 'INP', 'CLS', 'FCP'] as const) {
      const data = await percentiles({ metric });
      expect(data).toHaveLength(1);
      expect(Object.keys(data[0]!)).toEqual(['time', 'group', ...QS.map((q) => `p${q}`), 'count']);
      expect(data[0]).toMatchObject({ time: range.from, group: 'all' });
      expectPercentiles(data[0]!, sent.values[metric], `site ${metric}`);
    }
    expect(await percentiles({ metric: 'TTFB' })).toEqual([]);
  });

  it('/percentiles per route: only that route\'s values', async () => {
    for (const route of ROUTES) {
      for (const metric of ['LCP', 'INP', 'CLS'] as const) {
        const [row] = await percentiles({ metric, route });
        expectPercentiles(row!, sent.byRoute.get(route)![metric], `${route} ${metric}`);
      }
    }
    expect(await percentiles({ metric: 'LCP', route: '/nowhere' })).toEqual([]);
  });

  it('/percentiles by=country: one series per country, exact counts', async () => {
    const data = await percentiles({ metric: 'LCP', by: 'country' });
    expect(data.map((r) => r.group).sort()).toEqual([...COUNTRIES].sort());
    for (const row of data) expectPercentiles(row, sent.byCountry.get(row.group)!.LCP, `country ${row.group}`);
    const routeData = await percentiles({ metric: 'INP', by: 'device', route: '/checkout' });
    const perDevice = new Map<string, number>();
    // Device per page view: recount from the messages of /checkout.
    for (const m of messages) if (m.pv.route === '/checkout') perDevice.set(m.agent.device, (perDevice.get(m.agent.device) ?? 0) + m.events.filter((e) => e.t === 'm' && e.n === 'INP').length);
    expect(Object.fromEntries(routeData.map((r) => [r.group, r.count]))).toEqual(Object.fromEntries(perDevice));
  });

  it('/breakdown: exact counts per group, p75 and good/NI/poor shares within the bound', async () => {
    for (const metric of ['LCP', 'INP', 'CLS'] as const) {
      const data = await rows('/breakdown', { site: sent.site, ...range, metric, by: 'country' });
      expect(data.map((r) => [r.group, r.count])).toEqual(
        [...sent.byCountry].map(([c, v]) => [c, v[metric].length]).sort((a, b) => (b[1] as number) - (a[1] as number) || String(a[0]).localeCompare(String(b[0]))),
      );
      for (const row of data) {
        const values = sent.byCountry.get(row.group)![metric];
        expect(Object.keys(row).sort()).toEqual(['count', 'good', 'group', 'needsImprovement', 'p75', 'poor']);
        expect(rankError(sortedOf(values), row.p75, 0.75)).toBeLessThanOrEqual(rankBound(0.75, values.length));
        expectShares(metric, row, values, `${metric} ${row.group}`);
      }
      const continents = await rows('/breakdown', { site: sent.site, ...range, metric, by: 'continent' });
      expect(Object.fromEntries(continents.map((r) => [r.group, r.count]))).toEqual({
        EU: sent.byCountry.get('DE')![metric].length,
        NA: sent.byCountry.get('US')![metric].length,
        AS: sent.byCountry.get('JP')![metric].length,
        SA: sent.byCountry.get('BR')![metric].length,
      });
      const devices = await rows('/breakdown', { site: sent.site, ...range, metric, by: 'device' });
      expect(Object.fromEntries(devices.map((r) => [r.group, r.count]))).toEqual(Object.fromEntries([...sent.byDevice].map(([d, v]) => [d, v[metric].length])));
    }
    const route = await rows('/breakdown', { site: sent.site, ...range, metric: 'CLS', by: 'connection', route: '/products/:id' });
    expect(route).toHaveLength(1);
    expect(route[0]).toMatchObject({ group: '4g', count: sent.byRoute.get('/products/:id')!.CLS.length });
    expectShares('CLS', route[0]!, sent.byRoute.get('/products/:id')!.CLS, 'CLS /products/:id');
  });

  it('/summary: every metric, exact counts, p75 and shares within the bound, rating of the p75; per route too', async () => {
    const data = await rows('/summary', { site: sent.site, ...range });
    expect(data.map((r) => r.metric)).toEqual([...METRIC_NAMES]);
    for (const row of data) {
      const values = sent.values[row.metric as MetricName];
      if (values.length === 0) {
        expect(row).toEqual({ metric: row.metric, p75: null, rating: null, count: 0, good: null, needsImprovement: null, poor: null });
        continue;
      }
      expect(row.count).toBe(values.length);
      expect(rankError(sortedOf(values), row.p75, 0.75)).toBeLessThanOrEqual(rankBound(0.75, values.length));
      expect(row.rating).toBe(rate(row.metric, row.p75));
      expectShares(row.metric, row, values, `summary ${row.metric}`);
    }
    for (const route of ROUTES) {
      const perRoute = await rows('/summary', { site: sent.site, ...range, route });
      for (const row of perRoute) expect(row.count, `${route} ${row.metric}`).toBe(sent.byRoute.get(route)![row.metric as MetricName].length);
    }
  });

  it('/routes: exact page views per route (a page view split over two beacons counts once)', async () => {
    const data = await rows('/routes', { site: sent.site, ...range });
    const expected = ROUTES.map((route) => ({ route, pageViews: sent.pageViews.get(route)!.size, samples: sent.pageViews.get(route)!.size })).sort(
      (a, b) => b.pageViews - a.pageViews || a.route.localeCompare(b.route),
    );
    expect(data).toEqual(expected);
    expect(data.reduce((s, r) => s + r.pageViews, 0)).toBe(Math.ceil(sent.beacons / 2));
  });

  it('/errors: exact occurrence and page-view counts per error group, site-wide and per route', async () => {
    const data = await rows('/errors', { site: sent.site, ...range });
    expect(data).toHaveLength(ERRORS.length);
    for (const row of data) {
      const want = sent.errors.get(row.message)!;
      expect(row.count, row.message).toBe(want.count);
      expect(row.pageViews, row.message).toBe(want.pageViews.size);
      expect(want.routes.has(row.route)).toBe(true);
      expect(row.firstSeen).toBeLessThanOrEqual(row.lastSeen);
      expect(row.firstSeen).toBeGreaterThanOrEqual(range.from);
    }
    expect(data.map((r) => r.count)).toEqual([...data.map((r) => r.count)].sort((a, b) => b - a));
    const top = await rows('/errors', { site: sent.site, ...range, limit: 1 });
    expect(top).toEqual([data[0]]);
    for (const route of ROUTES) {
      const perRoute = await rows('/errors', { site: sent.site, ...range, route });
      const wantTypeErrors = messages
        .filter((m) => m.pv.route === route)
        .flatMap((m) => m.events)
        .reduce((s, e) => s + (e.t === 'err' && e.msg === ERRORS[0]!.msg ? e.c : 0), 0);
      expect(perRoute.find((r) => r.message === ERRORS[0]!.msg)?.count ?? 0, route).toBe(wantTypeErrors);
      expect(perRoute.every((r) => r.route === route)).toBe(true);
    }
  });

  it('a redelivered batch (same order, reversed, or a mix) leaves every answer unchanged', async () => {
    const requests: [string, Record<string, string | undefined>][] = [
      ['/percentiles', { metric: 'LCP' }],
      ['/percentiles', { metric: 'CLS', by: 'country' }],
      ['/percentiles', { metric: 'INP', route: '/checkout' }],
      ['/breakdown', { metric: 'LCP', by: 'device' }],
      ['/summary', {}],
      ['/summary', { route: '/' }],
      ['/routes', {}],
      ['/errors', {}],
    ];
    const answers = async () =>
      Promise.all(requests.map(([path, params]) => rows(path, { site: sent.site, ...range, interval: path === '/percentiles' ? '1d' : undefined, ...params })));
    const before = await answers();
    await deliver(messages);
    await deliver([...messages].reverse());
    await deliver([messages[3]!, messages[0]!, messages[3]!, messages.at(-1)!], 4);
    expect(await answers()).toEqual(before);
    expect((before[4] as Json[]).find((r) => r.metric === 'LCP')!.count).toBe(3_000);
  });
});

// --------------------------------------------------------------------------- interval bucketing

describe('API: interval bucketing', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives one row per hour bucket with time = bucket start, and one series per group with by=country', async () => {
    freshEnv();
    const site = uniqueSite('hours');
    const base = Math.floor(Date.now() / HOUR) * HOUR - 6 * HOUR;
    // Hours 0, 1, 3 and 5 after `base` get data; 2 and 4 stay empty.
    const plan: [hour: number, country: string, values: number[]][] = [
      [0, 'DE', [1_000, 1_100, 1_200]],
      [0, 'FR', [3_000]],
      [1, 'DE', [2_000, 2_100]],
      [3, 'FR', [900, 950, 990, 5_000]],
      [5, 'DE', [1_500]],
      [5, 'US', [7_000, 7_500]],
    ];
    vi.useFakeTimers({ toFake: ['Date'] });
    for (const [hour, country, values] of plan) {
      // The collector stamps beacons with its clock; the last minute of an hour is still that hour.
      vi.setSystemTime(base + hour * HOUR + HOUR - 60_000);
      await collect(makeBeacon({ site, e: values.map((v) => ({ t: 'm' as const, n: 'LCP' as const, v })) }), { 'CF-IPCountry': country });
    }
    vi.useRealTimers();
    expect(recorded.messages.map((m) => Math.floor((m.ts - base) / HOUR))).toEqual(plan.map(([h]) => h));
    await deliver(recorded.messages);

    const from = base + 17 * 60_000; // rounded down to the hour by the API
    const to = base + 6 * HOUR;
    const hourly = await rows('/percentiles', { site, metric: 'LCP', from, to, interval: '1h', q: '0,100' });
    const perHour = new Map<number, number[]>();
    for (const [hour, , values] of plan) perHour.set(hour, [...(perHour.get(hour) ?? []), ...values]);
    expect(hourly).toEqual(
      [...perHour].map(([hour, values]) => ({ time: base + hour * HOUR, group: 'all', p0: Math.min(...values), p100: Math.max(...values), count: values.length })),
    );

    const twoHourly = await rows('/percentiles', { site, metric: 'LCP', from: new Date(base).toISOString(), to, interval: '2h', q: '50' });
    expect(twoHourly.map((r) => [r.time, r.count])).toEqual([
      [base, 6],
      [base + 2 * HOUR, 4],
      [base + 4 * HOUR, 3],
    ]);
    expect(twoHourly.every((r) => (r.time - base) % (2 * HOUR) === 0)).toBe(true);

    const byCountry = await rows('/percentiles', { site, metric: 'LCP', from, to, interval: '1h', q: '100', by: 'country' });
    const series = new Map<string, [number, number][]>();
    for (const row of byCountry) series.set(row.group, [...(series.get(row.group) ?? []), [row.time, row.count]]);
    const want = new Map<string, [number, number][]>();
    for (const [hour, country, values] of plan) want.set(country, [...(want.get(country) ?? []), [base + hour * HOUR, values.length]]);
    expect(new Map([...series].sort())).toEqual(new Map([...want].sort()));
    expect(byCountry.map((r) => r.time)).toEqual([...byCountry.map((r) => r.time)].sort((a, b) => a - b));

    // A range that starts mid-hour includes that hour; one that ends before hour 5 leaves it out.
    const partial = await rows('/percentiles', { site, metric: 'LCP', from: base + HOUR + 1, to: base + 4 * HOUR, interval: '1h', q: '50' });
    expect(partial.map((r) => [r.time, r.count])).toEqual([
      [base + HOUR, 2],
      [base + 3 * HOUR, 4],
    ]);
  });

  it('raw-row answers (/routes, /errors) cover the same whole hours as the digests (/summary)', async () => {
    freshEnv();
    const site = uniqueSite('edges');
    const hour = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(hour + 50 * 60_000);
    await collect(makeBeacon({ site, e: [{ t: 'm', n: 'LCP', v: 1_000 }, { t: 'err', k: 'error', msg: 'late in the hour' }] }));
    vi.useRealTimers();
    await deliver(recorded.messages);
    // `to` at minute 30: the hour's digest counts the beacon from minute 50, and so must the raw rows.
    const range = { site, from: hour, to: hour + 30 * 60_000 };
    const [lcp] = (await rows('/summary', range)).filter((r) => r.metric === 'LCP');
    expect(lcp!.count).toBe(1);
    expect((await rows('/routes', range)).map((r) => r.pageViews)).toEqual([1]);
    expect((await rows('/errors', range)).map((r) => r.count)).toEqual([1]);
    // Ending at the hour's start leaves the whole hour out of both.
    const before = { site, from: hour - HOUR, to: hour };
    expect((await rows('/summary', before)).find((r) => r.metric === 'LCP')!.count).toBe(0);
    expect(await rows('/routes', before)).toEqual([]);
    expect(await rows('/errors', before)).toEqual([]);
  });
});
