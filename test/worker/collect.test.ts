import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import worker from '../../worker/index.ts';
import type { EnrichedBeacon } from '../../worker/schema/enriched.ts';
import { digestName } from '../../worker/digest/route-digest.ts';
import { retryDelay } from '../../worker/store/consumer.ts';
import { BOT_UA, CHROME_UA, makeBeacon } from '../helpers/beacon.ts';
import { countRows, recordingEnv, type Recorded } from './recording-env.ts';

let recorded: Recorded;
let testEnv: Env;
beforeEach(() => {
  ({ env: testEnv, recorded } = recordingEnv(env));
});

async function post(body: BodyInit | null, headers: Record<string, string> = {}, url = 'https://site.example/collect') {
  const ctx = createExecutionContext();
  const response = await worker.fetch(
    new Request(url, {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'text/plain;charset=UTF-8', 'User-Agent': CHROME_UA, ...headers },
    }),
    testEnv,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return response;
}

/** Delivers what the collector enqueued to the consumer, like the Queue does. */
async function deliver(bodies = recorded.messages) {
  const ctx = createExecutionContext();
  const batch = createMessageBatch<EnrichedBeacon>(
    'edge-rum-beacons',
    bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  await worker.queue(batch, testEnv, ctx);
  return getQueueResult(batch, ctx);
}

describe('POST /collect', () => {
  it('accepts a valid beacon with 202, enqueues it and stores it once delivered', async () => {
    const beacon = makeBeacon();
    const response = await post(JSON.stringify(beacon), { 'CF-IPCountry': 'DE' });
    expect(response.status).toBe(202);
    expect(recorded.messages).toHaveLength(1);
    const message = recorded.messages[0]!;
    expect(message.geo).toEqual({ country: 'DE', continent: 'EU', colo: 'XX' });
    expect(message.agent).toMatchObject({ browser: 'Chrome', browserVersion: 131, os: 'Windows', device: 'desktop' });
    expect(message.session).not.toBe(beacon.sid);
    const result = await deliver();
    expect(result.ackAll).toBe(true);
    const rows = await env.DB.prepare('SELECT metric, value, rating, country, weight FROM metric_events WHERE beacon_id = ? ORDER BY metric')
      .bind(beacon.bid)
      .all();
    expect(rows.results).toEqual([
      { metric: 'CLS', value: 0.02, rating: 'good', country: 'DE', weight: 1 },
      { metric: 'LCP', value: 1850, rating: 'good', country: 'DE', weight: 1 },
    ]);
  });

  it('stores allow-listed query parameters on the page view', async () => {
    const beacon = makeBeacon({ pv: { ...makeBeacon().pv, q: 'utm_source=news' } });
    expect((await post(JSON.stringify(beacon))).status).toBe(202);
    await deliver();
    const row = await env.DB.prepare('SELECT path, query FROM page_views WHERE id = ?').bind(beacon.pv.id).first();
    expect(row).toEqual({ path: '/products/42', query: 'utm_source=news' });
  });

  it("applies the privacy rules whatever the client: no query string, fragment, e-mail or long number is stored, only the Worker's allowed parameters", async () => {
    ({ env: testEnv, recorded } = recordingEnv(env, { QUERY_PARAMS: 'utm_*, ref' }));
    const secrets = ['SECRET-TOKEN', 'jane@example.com', '4111111111111111', 'fragment-secret'];
    const beacon = makeBeacon({
      site: 'privacy',
      pv: {
        id: `pv${Date.now().toString(36)}priv`,
        path: '/reset/4111111111111111?token=SECRET-TOKEN#fragment-secret',
        route: '/u/jane@example.com?token=SECRET-TOKEN',
        q: 'utm_source=news&ref=home&token=SECRET-TOKEN&email=jane@example.com',
      },
      e: [
        { t: 'm', n: 'LCP', v: 1200, a: { url: '/img/hero.png?sig=SECRET-TOKEN', el: 'img#hero' } },
        { t: 'm', n: 'INP', v: 300, a: { ls: 'https://cdn.example/app.js?key=SECRET-TOKEN#fragment-secret' } },
        {
          t: 'err',
          k: 'error',
          msg: 'fetch https://api.example/users?token=SECRET-TOKEN failed for jane@example.com',
          stack: 'Error\n  at https://shop.example/u/4111111111111111/app.js?v=SECRET-TOKEN:10:5',
          src: 'https://shop.example/u/jane@example.com/app.js?v=SECRET-TOKEN',
        },
      ],
    });
    expect((await post(JSON.stringify(beacon))).status).toBe(202);
    await deliver();
    const everything = [JSON.stringify(await dumpAll()), JSON.stringify(recorded.messages), JSON.stringify(recorded.points)].join('\n');
    for (const secret of secrets) expect(everything).not.toContain(secret);
    const row = await env.DB.prepare('SELECT path, route, query FROM page_views WHERE id = ?').bind(beacon.pv.id).first();
    expect(row).toEqual({ path: '/reset/:num', route: '/u/:email', query: 'utm_source=news&ref=home' });
    const error = await env.DB.prepare('SELECT message, source FROM errors WHERE page_view_id = ?').bind(beacon.pv.id).first();
    expect(error).toEqual({ message: 'fetch https://api.example/users failed for :email', source: 'https://shop.example/u/:email/app.js' });
  });

  it('accepts application/json with parameters, in any case', async () => {
    const response = await post(JSON.stringify(makeBeacon()), { 'Content-Type': 'Application/JSON; charset=utf-8' });
    expect(response.status).toBe(202);
  });

  it.each([
    ['missing', undefined],
    ['form', 'application/x-www-form-urlencoded'],
    ['json-ish', 'application/jsonx'],
    ['octet', 'application/octet-stream'],
  ])('answers 415 for a %s Content-Type and stores nothing', async (_label, type) => {
    const headers: Record<string, string> = {};
    const request = new Request('https://site.example/collect', {
      method: 'POST',
      body: new Blob([JSON.stringify(makeBeacon())]),
      headers: { 'User-Agent': CHROME_UA },
    });
    if (type) request.headers.set('Content-Type', type);
    else request.headers.delete('Content-Type');
    const response = await worker.fetch(request, testEnv, createExecutionContext());
    expect(response.status, JSON.stringify(headers)).toBe(415);
    expect(recorded.messages).toHaveLength(0);
  });

  it('answers 415 for a compressed body', async () => {
    const response = await post(JSON.stringify(makeBeacon()), { 'Content-Encoding': 'gzip' });
    expect(response.status).toBe(415);
    expect((await post(JSON.stringify(makeBeacon()), { 'Content-Encoding': 'identity' })).status).toBe(202);
  });

  it('answers 413 for a declared length over 64 KiB', async () => {
    const response = await post('x'.repeat(70_000), { 'Content-Length': '70000' });
    expect(response.status).toBe(413);
  });

  it('answers 413 for a chunked body as soon as byte 65,537 arrives, without reading the rest', async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        if (pulled > 1_000) return controller.close(); // a safety net: 16 MB would have been read
        controller.enqueue(new Uint8Array(16_384).fill(0x20));
      },
    });
    const response = await post(endless);
    expect(response.status).toBe(413);
    // 65,537 bytes need 5 chunks of 16 KiB; allow the stream's read-ahead, but not the whole body.
    expect(pulled).toBeLessThan(12);
  });

  it('accepts exactly 65,536 bytes', async () => {
    const beacon = JSON.stringify(makeBeacon());
    const padded = beacon + ' '.repeat(65_536 - new TextEncoder().encode(beacon).byteLength);
    expect((await post(padded)).status).toBe(202);
    expect((await post(`${padded} `)).status).toBe(413);
  });

  it('answers 400 with a reason for bad JSON and for schema violations', async () => {
    const bad = await post('{"v":1,');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/invalid JSON/);
    const wrong = await post(JSON.stringify(makeBeacon({ e: [{ t: 'm', n: 'LCP', v: -5 }] })));
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toMatch(/e\.0\.v/);
    const version = await post(JSON.stringify({ ...makeBeacon(), v: 2 }));
    expect(version.status).toBe(400);
    expect(recorded.messages).toHaveLength(0);
    expect(recorded.points).toHaveLength(0);
  });

  it('strips unknown keys instead of storing them', async () => {
    const beacon = { ...makeBeacon(), secret: 'x', pv: { ...makeBeacon().pv, email: 'a@b.c' } };
    expect((await post(JSON.stringify(beacon))).status).toBe(202);
    expect(JSON.stringify(recorded.messages)).not.toMatch(/secret|a@b\.c/);
  });

  it('enforces the origin allow-list: 403 for others, same origin and listed origins allowed', async () => {
    expect((await post(JSON.stringify(makeBeacon()), { Origin: 'https://evil.example' })).status).toBe(403);
    expect((await post(JSON.stringify(makeBeacon()), { Origin: 'https://allowed.example.evil' })).status).toBe(403);
    expect((await post(JSON.stringify(makeBeacon()), { Origin: 'null' })).status).toBe(403);
    expect((await post(JSON.stringify(makeBeacon()), { Origin: 'https://site.example' })).status).toBe(202);
    const listed = await post(JSON.stringify(makeBeacon()), { Origin: 'https://allowed.example' });
    expect(listed.status).toBe(202);
    expect(listed.headers.get('Access-Control-Allow-Origin')).toBe('https://allowed.example');
    expect(recorded.messages).toHaveLength(2);
  });

  it('answers CORS preflight only for allowed origins', async () => {
    const preflight = (origin: string) =>
      worker.fetch(
        new Request('https://site.example/collect', {
          method: 'OPTIONS',
          headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
        }),
        testEnv,
        createExecutionContext(),
      );
    const ok = await preflight('https://allowed.example');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('Access-Control-Allow-Origin')).toBe('https://allowed.example');
    expect(ok.headers.get('Access-Control-Allow-Methods')).toContain('POST');
    const denied = await preflight('https://evil.example');
    expect(denied.status).toBe(403);
    expect(denied.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });

  it('accepts bots with 202 but drops them, counting the drop', async () => {
    const response = await post(JSON.stringify(makeBeacon()), { 'User-Agent': BOT_UA });
    expect(response.status).toBe(202);
    expect(recorded.messages).toHaveLength(0);
    expect(recorded.points).toHaveLength(1);
    expect(recorded.points[0]!.blobs).toContain('drop');
    expect(recorded.points[0]!.blobs).toContain('bot');
  });

  it('never stores, enqueues or writes the raw IP address', async () => {
    const before = await countRows(env.DB);
    const beacon = makeBeacon({ e: [{ t: 'm', n: 'INP', v: 180 }, { t: 'err', k: 'error', msg: 'x failed' }] });
    const response = await post(JSON.stringify(beacon), {
      'CF-Connecting-IP': '198.51.100.237',
      'X-Forwarded-For': '192.0.2.99',
    });
    expect(response.status).toBe(202);
    expect(recorded.messages[0]!.ipPrefix).toBe('198.51.100.0/24');
    await deliver();
    const after = await countRows(env.DB);
    expect(after.page_views).toBe(before.page_views! + 1);
    const dump = JSON.stringify(await dumpAll());
    const everything = [dump, JSON.stringify(recorded.messages), JSON.stringify(recorded.points), recorded.logs.join('\n')].join('\n');
    expect(everything).toContain('198.51.100.0/24');
    expect(everything).not.toContain('198.51.100.237');
    expect(everything).not.toContain('192.0.2.99');
  });

  it('retries a batch whose storage failed, later with each attempt, and stores it once when storage is back', async () => {
    const beacon = makeBeacon({ site: 'retry' });
    await post(JSON.stringify(beacon));
    const down = { ...testEnv, DB: { prepare: () => { throw new Error('D1 is down'); }, batch: () => Promise.reject(new Error('D1 is down')) } } as unknown as Env;
    // The test integration records that a batch is retried, not its delay; the handler logs the delay it asked for.
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    for (const attempts of [1, 4, 30]) {
      const ctx = createExecutionContext();
      const batch = createMessageBatch<EnrichedBeacon>('edge-rum-beacons', [{ id: 'r1', timestamp: new Date(), attempts, body: recorded.messages[0]! }]);
      await worker.queue(batch, down, ctx);
      const result = await getQueueResult(batch, ctx);
      expect(result.ackAll).toBe(false);
      expect(result.retryBatch.retry).toBe(true);
    }
    expect(logged.mock.calls.map(([message]) => /retried in (\d+) s/.exec(String(message))?.[1])).toEqual(['5', '40', '900']);
    logged.mockRestore();
    expect([1, 2, 3, 9, 10, 21].map(retryDelay)).toEqual([5, 10, 20, 900, 900, 900]);
    const stored = () => env.DB.prepare('SELECT COUNT(*) AS n FROM page_views WHERE id = ?').bind(beacon.pv.id).first<{ n: number }>();
    expect((await stored())?.n).toBe(0);
    expect((await deliver()).ackAll).toBe(true);
    expect((await stored())?.n).toBe(1);
  });

  it('stores a redelivered queue message once', async () => {
    const beacon = makeBeacon();
    await post(JSON.stringify(beacon));
    const message = recorded.messages[0]!;
    await deliver([message]);
    await deliver([message]);
    await deliver([message, message]);
    const count = await env.DB.prepare('SELECT COUNT(*) AS n FROM metric_events WHERE beacon_id = ?').bind(beacon.bid).first<{ n: number }>();
    expect(count?.n).toBe(2);
    const pv = await env.DB.prepare('SELECT COUNT(*) AS n FROM page_views WHERE id = ?').bind(beacon.pv.id).first<{ n: number }>();
    expect(pv?.n).toBe(1);
  });

  it('a later value of a metric (u: 1) replaces the raw row, and counts once in Analytics Engine and the digests; redelivery changes nothing', async () => {
    const first = makeBeacon({ site: 'updates', e: [{ t: 'm', n: 'CLS', v: 0.05 }] });
    const update = makeBeacon({ site: 'updates', pv: first.pv, sid: first.sid, e: [{ t: 'm', n: 'CLS', v: 0.3, u: 1 }] });
    const orphan = makeBeacon({ site: 'updates', e: [{ t: 'm', n: 'INP', v: 240, u: 1 }] });
    expect((await post(JSON.stringify(first))).status).toBe(202);
    expect((await post(JSON.stringify(update))).status).toBe(202);
    expect((await post(JSON.stringify(orphan))).status).toBe(202);
    // Only the first value became a data point.
    expect(recorded.points.map((p) => p.doubles?.[0])).toEqual([0.05]);
    await deliver();
    await deliver();
    const rows = await env.DB.prepare('SELECT value, rating FROM metric_events WHERE page_view_id = ?').bind(first.pv.id).all();
    expect(rows.results).toEqual([{ value: 0.3, rating: 'poor' }]);
    // An update whose first value never arrived is stored, not lost.
    const orphanRows = await env.DB.prepare('SELECT value FROM metric_events WHERE page_view_id = ?').bind(orphan.pv.id).all();
    expect(orphanRows.results).toEqual([{ value: 240 }]);
    const digest = env.ROUTE_DIGEST.get(env.ROUTE_DIGEST.idFromName(digestName('updates', first.pv.route!)));
    const groups = await digest.groups({ metric: 'CLS', from: 0, to: Date.now() + 3_600_000, by: 'all', thresholds: [0.1, 0.25] });
    expect(groups).toMatchObject([{ group: 'all', count: 1, p75: 0.05 }]);
  });

  it('an update delivered in a later queue batch than its first value replaces it too', async () => {
    const first = makeBeacon({ site: 'updates2', e: [{ t: 'm', n: 'INP', v: 120 }] });
    const update = makeBeacon({ site: 'updates2', pv: first.pv, sid: first.sid, e: [{ t: 'm', n: 'INP', v: 480, u: 1 }] });
    await post(JSON.stringify(first));
    await post(JSON.stringify(update));
    await deliver([recorded.messages[0]!]);
    await deliver([recorded.messages[1]!]);
    const rows = await env.DB.prepare('SELECT value, rating FROM metric_events WHERE page_view_id = ?').bind(first.pv.id).all();
    expect(rows.results).toEqual([{ value: 480, rating: 'needs-improvement' }]);
  });

  it('an update processed before its first value (whose batch failed and ran again later) stays the one row', async () => {
    const first = makeBeacon({ site: 'updates3', e: [{ t: 'm', n: 'CLS', v: 0.02 }, { t: 'm', n: 'LCP', v: 900 }] });
    const update = makeBeacon({ site: 'updates3', pv: first.pv, sid: first.sid, e: [{ t: 'm', n: 'CLS', v: 0.4, u: 1 }] });
    await post(JSON.stringify(first));
    await post(JSON.stringify(update));
    await deliver([recorded.messages[1]!]);
    await deliver([recorded.messages[0]!]);
    const rows = await env.DB.prepare('SELECT metric, value FROM metric_events WHERE page_view_id = ? ORDER BY metric').bind(first.pv.id).all();
    expect(rows.results).toEqual([
      { metric: 'CLS', value: 0.4 },
      { metric: 'LCP', value: 900 },
    ]);
  });

  it('whatever order and batches the queue delivers a first value and its updates in, one row remains: the first time, the latest value', async () => {
    // Message 0 is the first value, 1..n its updates, received in that order;
    // a schedule delivers each once (a failed batch runs again after later
    // ones, so any order), some again, in batches of 1 to 3.
    const schedule = fc.integer({ min: 1, max: 3 }).chain((updates) => {
      const all = Array.from({ length: updates + 1 }, (_, i) => i);
      return fc.record({
        updates: fc.constant(updates),
        order: fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }),
        again: fc.array(fc.tuple(fc.nat({ max: updates }), fc.nat()), { maxLength: 4 }),
        sizes: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 6 }),
      });
    });
    const tick = () => new Promise((resolve) => setTimeout(resolve, 2));
    await fc.assert(
      fc.asyncProperty(schedule, async ({ updates, order, again, sizes }) => {
        ({ env: testEnv, recorded } = recordingEnv(env));
        const first = makeBeacon({ site: 'updates-prop', e: [{ t: 'm', n: 'INP', v: 100 }, { t: 'm', n: 'TTFB', v: 50 }] });
        await post(JSON.stringify(first));
        for (let i = 1; i <= updates; i++) {
          await tick(); // distinct receive times
          await post(JSON.stringify(makeBeacon({ site: 'updates-prop', pv: first.pv, sid: first.sid, e: [{ t: 'm', n: 'INP', v: 100 + 100 * i, u: 1 }] })));
        }
        const sequence = order.map((i) => recorded.messages[i]!);
        for (const [message, at] of again) sequence.splice(at % (sequence.length + 1), 0, recorded.messages[message]!);
        for (let i = 0, s = 0; i < sequence.length; i += sizes[s++ % sizes.length]!) {
          await deliver(sequence.slice(i, i + sizes[s % sizes.length]!));
        }
        const rows = await env.DB.prepare('SELECT metric, value, ts FROM metric_events WHERE page_view_id = ? ORDER BY metric')
          .bind(first.pv.id)
          .all<{ metric: string; value: number; ts: number }>();
        expect(rows.results.map((r) => r.metric)).toEqual(['INP', 'TTFB']);
        expect(rows.results[0]).toEqual({ metric: 'INP', value: 100 + 100 * updates, ts: recorded.messages[0]!.ts });
      }),
      { numRuns: 40 },
    );
  });

  it("an update never touches another site's page view of the same id", async () => {
    const first = makeBeacon({ site: 'victim', e: [{ t: 'm', n: 'CLS', v: 0.01 }] });
    await post(JSON.stringify(first));
    await post(JSON.stringify(makeBeacon({ site: 'other', pv: first.pv, e: [{ t: 'm', n: 'CLS', v: 0.9, u: 1 }] })));
    await deliver([recorded.messages[0]!]);
    await deliver([recorded.messages[1]!]);
    const rows = await env.DB.prepare('SELECT site, value FROM metric_events WHERE page_view_id = ? ORDER BY site').bind(first.pv.id).all();
    expect(rows.results).toEqual([
      { site: 'other', value: 0.9 },
      { site: 'victim', value: 0.01 },
    ]);
  });

  it('pseudonymises the session id: stable within a day, never the raw id', async () => {
    const sid = 'session-abcdefgh';
    await post(JSON.stringify(makeBeacon({ sid })));
    await post(JSON.stringify(makeBeacon({ sid })));
    const [a, b] = recorded.messages;
    expect(a!.session).toBe(b!.session);
    expect(a!.session).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(JSON.stringify(recorded.messages)).not.toContain(sid);
  });

  it('samples on the session id and weights what it keeps', async () => {
    ({ env: testEnv, recorded } = recordingEnv(env, { SAMPLE_RATE: '0.5', ERROR_SAMPLE_RATE: '1' }));
    for (let i = 0; i < 40; i++) {
      await post(JSON.stringify(makeBeacon({ e: [{ t: 'm', n: 'LCP', v: 1000 }, { t: 'err', k: 'error', msg: 'e' }] })));
    }
    const kept = recorded.messages.filter((m) => m.pvWeight > 0);
    expect(kept.length).toBeGreaterThan(5);
    expect(kept.length).toBeLessThan(35);
    for (const message of recorded.messages) {
      const metric = message.events.find((e) => e.t === 'm');
      if (metric) expect(metric.w).toBe(2);
      expect(message.events.find((e) => e.t === 'err')?.w).toBe(1);
    }
    // Every beacon had an error and errors are kept at rate 1.
    expect(recorded.messages).toHaveLength(40);
  });
});

async function dumpAll() {
  const tables = ['beacons', 'page_views', 'metric_events', 'nav_timings', 'errors', 'custom_events'];
  const out: Record<string, unknown[]> = {};
  for (const table of tables) out[table] = (await env.DB.prepare(`SELECT * FROM ${table}`).all()).results;
  return out;
}

describe('POST /collect when the queue fails', () => {
  it('answers 503 (retry later), not 500, and writes no Analytics Engine points', async () => {
    const failing = { ...recordingEnv(env).env, BEACONS: { send: async () => { throw new Error('queue down'); } } as unknown as Queue };
    const { recorded: points, env: withPoints } = recordingEnv(failing as Env);
    const response = await worker.fetch(
      new Request('https://site.example/collect', { method: 'POST', body: JSON.stringify(makeBeacon()), headers: { 'Content-Type': 'text/plain', 'User-Agent': CHROME_UA } }),
      { ...withPoints, BEACONS: failing.BEACONS },
      createExecutionContext(),
    );
    expect(response.status).toBe(503);
    expect(response.headers.get('Retry-After')).toBe('30');
    expect(points.points).toHaveLength(0);
  });
});
