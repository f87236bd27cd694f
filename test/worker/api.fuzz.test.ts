/**
 * Property-based fuzzing of the query API: whatever query string a client
 * sends to any `/api/v1` route, the answer is a 200 with flat rows or a 400
 * with a readable error, never a 5xx or a thrown error, and reading never
 * changes what is stored.
 */
import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { digestName, type RouteDigest } from '../../worker/digest/route-digest.ts';
import worker from '../../worker/index.ts';
import { METRIC_NAMES } from '../../worker/schema/beacon.ts';
import type { EnrichedBeacon } from '../../worker/schema/enriched.ts';
import { CHROME_UA, makeBeacon } from '../helpers/beacon.ts';
import { countRows, recordingEnv } from './recording-env.ts';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const SITE = `fuzz-${Date.now().toString(36)}`;
const SEEDED_ROUTES = ['/products/:id', '/'];
const NOW = Date.now();
const FROM = NOW - 3 * HOUR;
const TO = NOW + HOUR;

type Params = Record<string, string>;

/** A valid query per route, over a range that holds the seeded data. */
const VALID: Record<string, Params> = {
  '/routes': { site: SITE, from: String(FROM), to: String(TO) },
  '/percentiles': { site: SITE, from: String(FROM), to: String(TO), metric: 'LCP', interval: '1h', q: '50,75,99', by: 'country', route: '/products/:id' },
  '/breakdown': { site: SITE, from: String(FROM), to: String(TO), metric: 'CLS', by: 'device' },
  '/errors': { site: SITE, from: String(FROM), to: String(TO), limit: '10', route: '/' },
  '/summary': { site: SITE, from: new Date(FROM).toISOString(), to: new Date(TO).toISOString() },
};
const PATHS = Object.keys(VALID);
const KNOWN_KEYS = ['site', 'from', 'to', 'route', 'metric', 'interval', 'q', 'by', 'limit'];

// --------------------------------------------------------------------------- arbitraries

const hugeDigits = fc.integer({ min: 16, max: 420 }).map((n) => '9'.repeat(n));
const unit = fc.constantFrom('', 'ms', 's', 'm', 'h', 'd', 'w');
const numberText = fc.oneof(
  fc.integer().map(String),
  fc.integer({ min: -1e6, max: -1 }).map(String),
  fc.double().map(String), // NaN, Infinity, -0, 5e-324, 1.7976931348623157e+308 included
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
  hugeDigits,
  fc.tuple(fc.oneof(fc.nat().map(String), hugeDigits, fc.double({ min: 0, noNaN: true }).map(String)), unit).map(([n, u]) => n + u),
  fc.integer({ min: 0, max: 8.64e15 }).map(String),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
);
const interesting = fc.constantFrom(
  '', ' ', '0', '-0', '-1', '1e309', '-1e309', 'Infinity', '-Infinity', 'NaN', 'null', 'undefined', 'true', '[]', '{}',
  '%', '%zz', '%E0%A4%A', '%ED%A0%80', '+', '&', '=', '#', '\u0000', '\uFFFF', '🙂', 'é', 'LCP', 'lcp', 'all', 'country',
  '50,75', ',', '100', '101', '1h', '0.0001h', '1' + '0'.repeat(400), `1${'0'.repeat(306)}w`, 'a'.repeat(300), '/products/:id',
  '__proto__', 'constructor', '2024-02-30T00:00:00Z', '+275760-09-13T00:00:00.000Z', '-271821-04-20T00:00:00.000Z',
);
const anyValue = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 4, arbitrary: numberText },
  { weight: 4, arbitrary: interesting },
);
const anyKey = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...KNOWN_KEYS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'site[]', 'SITE') },
);

/** A valid query with some parameters replaced, some dropped and some added. */
const mutatedQuery = fc
  .tuple(
    fc.constantFrom(...PATHS),
    // One or two changes at a time, so that one bad value is not hidden behind another.
    fc.dictionary(fc.constantFrom(...KNOWN_KEYS), anyValue, { minKeys: 1, maxKeys: 2 }),
    fc.subarray(KNOWN_KEYS, { maxLength: 1 }),
    fc.dictionary(anyKey, anyValue, { maxKeys: 2 }),
  )
  .map(([path, replaced, dropped, extra]) => {
    const params: Params = { ...VALID[path]!, ...replaced };
    for (const key of dropped) delete params[key];
    return { path, params: { ...extra, ...params } };
  });

const arbitraryQuery = fc.tuple(fc.constantFrom(...PATHS), fc.dictionary(anyKey, anyValue, { maxKeys: 8 })).map(([path, params]) => ({ path, params }));

/** Raw bytes after the `?`, not encoded by URLSearchParams: stray `%`, `&`, `=`, `+`. */
const rawQuery = fc
  .tuple(
    fc.constantFrom(...PATHS),
    fc.array(fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('%', '%2', '%zz', '%C3', '%ED%A0%80', '&', '=', '+', '&&', '=='), fc.constant(`site=${SITE}`)), { maxLength: 8 }),
  )
  .map(([path, parts]) => ({ path, raw: parts.join('') }));

// --------------------------------------------------------------------------- Worker I/O

async function get(path: string, query: Params | string) {
  const url = new URL(`https://rum.example/api/v1${path}`);
  if (typeof query === 'string') url.search = query;
  else for (const [key, value] of Object.entries(query)) url.searchParams.append(key, value);
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(url, { headers: { Authorization: 'Bearer test-api-token' } }), env, ctx);
  await waitOnExecutionContext(ctx);
  return { url: url.href, status: response.status, type: response.headers.get('Content-Type'), text: await response.text() };
}

const isFlatValue = (v: unknown) => v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

/** The contract of every answer; returns the status for statistics. */
async function checkAnswer(path: string, query: Params | string): Promise<number> {
  const { url, status, type, text } = await get(path, query);
  const where = `${status} ${url}: ${text.slice(0, 300)}`;
  expect([200, 400], where).toContain(status);
  expect(type, where).toMatch(/^application\/json/);
  const body = JSON.parse(text) as Record<string, unknown>;
  if (status === 400) {
    expect(Object.keys(body), where).toEqual(['error']);
    expect(typeof body.error, where).toBe('string');
    expect((body.error as string).length, where).toBeGreaterThan(0);
    return status;
  }
  expect(Object.keys(body), where).toEqual(['data']);
  expect(Array.isArray(body.data), where).toBe(true);
  for (const row of body.data as unknown[]) {
    expect(typeof row === 'object' && row !== null && !Array.isArray(row), where).toBe(true);
    for (const value of Object.values(row as object)) expect(isFlatValue(value), `${where}: ${JSON.stringify(row)}`).toBe(true);
    const r = row as Record<string, unknown>;
    // Row identity is never null: a time bucket, a group, a route, a fingerprint, a metric.
    if (path === '/percentiles') {
      expect(typeof r.time, `${where}: time of ${JSON.stringify(row)}`).toBe('number');
      expect(r.count as number, where).toBeGreaterThan(0);
    }
    if (path === '/breakdown') expect(typeof r.group, where).toBe('string');
    if (path === '/routes') expect(typeof r.route, where).toBe('string');
    if (path === '/errors') expect(typeof r.fingerprint, where).toBe('string');
    if (path === '/summary') expect(METRIC_NAMES).toContain(r.metric);
  }
  return status;
}

/** Everything stored: D1 rows and the digest and beacon-id rows of the seeded objects. */
async function stored() {
  const objects: Record<string, unknown> = {};
  for (const name of [digestName(SITE), ...SEEDED_ROUTES.map((r) => digestName(SITE, r))]) {
    objects[name] = await runInDurableObject(env.ROUTE_DIGEST.getByName(name), (_i: RouteDigest, state) => ({
      digests: state.storage.sql.exec<{ n: number; total: number }>('SELECT COUNT(*) AS n, SUM(count) AS total FROM digests').one(),
      seen: state.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM seen').one().n,
    }));
  }
  return { d1: await countRows(env.DB), objects };
}

// --------------------------------------------------------------------------- properties

describe('/api/v1 under fuzzing', () => {
  let before: Awaited<ReturnType<typeof stored>>;
  const statuses = new Map<number, number>();
  const tally = (s: number) => statuses.set(s, (statuses.get(s) ?? 0) + 1);

  beforeAll(async () => {
    const { env: testEnv, recorded } = recordingEnv(env);
    for (let b = 0; b < 12; b++) {
      const route = SEEDED_ROUTES[b % 2]!;
      const ctx = createExecutionContext();
      const beacon = makeBeacon({
        site: SITE,
        pv: { id: `pvfuzz${b}xxxx`, path: '/x', route },
        e: [
          { t: 'm', n: 'LCP', v: 1_000 + 250 * b },
          { t: 'm', n: 'CLS', v: b % 3 ? 0 : 0.3 },
          { t: 'm', n: 'INP', v: 8 * (b + 1) },
          { t: 'err', k: 'error', msg: `Error ${b % 3}` },
        ],
      });
      const response = await worker.fetch(
        new Request('https://site.example/collect', { method: 'POST', body: JSON.stringify(beacon), headers: { 'User-Agent': CHROME_UA, 'CF-IPCountry': b % 2 ? 'FR' : 'DE' } }),
        testEnv,
        ctx,
      );
      await waitOnExecutionContext(ctx);
      expect(response.status).toBe(202);
    }
    const ctx = createExecutionContext();
    const batch = createMessageBatch<EnrichedBeacon>('edge-rum-beacons', recorded.messages.map((body, i) => ({ id: `f${i}`, timestamp: new Date(), attempts: 1, body })));
    await worker.queue(batch, testEnv, ctx);
    expect((await getQueueResult(batch, ctx)).ackAll).toBe(true);
    before = await stored();
    // The valid queries answer with data, so mutations start from a non-trivial answer.
    for (const path of PATHS) {
      const { status, text } = await get(path, VALID[path]!);
      expect(status, `${path}: ${text}`).toBe(200);
      expect((JSON.parse(text) as { data: unknown[] }).data.length, path).toBeGreaterThan(0);
    }
  });

  it('answers mutated valid queries with 200 rows or a 400 error', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedQuery, async ({ path, params }) => {
        tally(await checkAnswer(path, params));
      }),
      { numRuns: 400 },
    );
  });

  it('answers arbitrary keys and values with 200 rows or a 400 error', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryQuery, async ({ path, params }) => {
        tally(await checkAnswer(path, params));
      }),
      { numRuns: 200 },
    );
  });

  it('answers raw, badly encoded query strings with 200 rows or a 400 error', async () => {
    await fc.assert(
      fc.asyncProperty(rawQuery, async ({ path, raw }) => {
        tally(await checkAnswer(path, raw));
      }),
      { numRuns: 200 },
    );
  });

  it('answers every single-parameter substitution of each valid query (numbers, huge, negative, empty, unicode)', async () => {
    const values = ['', '-1', '0', '1.5', '-0', '9'.repeat(20), '9'.repeat(400), `9${'9'.repeat(310)}h`, '1e400', 'Infinity', 'NaN', 'ü', '🙂', '\u0000', ' LCP ', '%zz', `${DAY}`];
    const failures: string[] = [];
    for (const path of PATHS) {
      for (const key of KNOWN_KEYS) {
        for (const value of values) {
          try {
            tally(await checkAnswer(path, { ...VALID[path]!, [key]: value }));
          } catch (error) {
            failures.push(`${path} ${key}=${value.length > 24 ? `${value.slice(0, 12)}...(${value.length} chars)` : JSON.stringify(value)}: ${String(error).slice(0, 160)}`);
          }
        }
      }
    }
    // Each failing substitution is listed, not only the first.
    expect(failures).toEqual([]);
  });

  it('changed nothing stored, and exercised both answers', async () => {
    expect(await stored()).toEqual(before);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(50);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(50);
    expect([...statuses.keys()].sort()).toEqual([200, 400]);
  });
});
