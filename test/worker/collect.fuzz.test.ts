/**
 * Property-based fuzzing of `/collect`: whatever a client sends, the answer
 * is a 2xx or a 4xx, a rejected request changes nothing, and an accepted one
 * is enqueued whole.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import worker from '../../worker/index.ts';
import { Beacon, MAX_CLS, METRIC_NAMES } from '../../worker/schema/beacon.ts';
import { CHROME_UA, makeBeacon } from '../helpers/beacon.ts';
import { recordingEnv } from './recording-env.ts';

async function send(body: BodyInit, headers: Record<string, string>) {
  const { env: testEnv, recorded } = recordingEnv(env);
  const ctx = createExecutionContext();
  const response = await worker.fetch(
    new Request('https://site.example/collect', { method: 'POST', body, headers: { 'User-Agent': CHROME_UA, ...headers } }),
    testEnv,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { status: response.status, recorded };
}

const contentTypes = fc.oneof(
  fc.constantFrom('text/plain', 'application/json', 'TEXT/PLAIN; charset=utf-8', 'application/json;x=y'),
  fc.string({ maxLength: 40 }),
);

const id = fc.stringMatching(/^[A-Za-z0-9_-]{8,20}$/);
const metric = fc.constantFrom(...METRIC_NAMES).chain((n) =>
  fc.record({
    t: fc.constant('m' as const),
    n: fc.constant(n),
    v: fc.double({ min: 0, max: n === 'CLS' ? MAX_CLS : 60_000, noNaN: true }),
  }),
);
const error = fc.record({
  t: fc.constant('err' as const),
  k: fc.constantFrom('error' as const, 'rejection' as const),
  msg: fc.string({ maxLength: 500 }),
  stack: fc.option(fc.string({ maxLength: 2000 }), { nil: undefined }),
});
const validBeacon = fc.record({
  v: fc.constant(1 as const),
  site: fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,20}$/),
  sid: id,
  bid: id,
  pv: fc.record({ id, path: fc.stringMatching(/^\/[\w/.-]{0,100}$/), route: fc.stringMatching(/^\/[\w/:.-]{0,60}$/) }),
  e: fc.array(fc.oneof(metric, error), { minLength: 1, maxLength: 100 }),
});

describe('/collect under fuzzing', () => {
  it('answers arbitrary bodies and content types with 202, 400, 413 or 415, storing nothing on rejection', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 300 }), fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null')), contentTypes, async (body, type) => {
        const { status, recorded } = await send(body, { 'Content-Type': type });
        expect([202, 400, 413, 415]).toContain(status);
        if (status !== 202) {
          expect(recorded.messages).toHaveLength(0);
          expect(recorded.points).toHaveLength(0);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('answers arbitrary bytes (invalid UTF-8 included) without a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), async (bytes) => {
        const { status } = await send(bytes, { 'Content-Type': 'text/plain' });
        expect([202, 400]).toContain(status);
      }),
      { numRuns: 100 },
    );
  });

  it('accepts a mutated beacon exactly when the schema does', async () => {
    const paths = ['v', 'site', 'sid', 'bid', 'pv', 'e', 'ctx'] as const;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), fc.jsonValue(), async (key, value) => {
        const beacon: Record<string, unknown> = { ...makeBeacon(), [key]: value };
        const { status, recorded } = await send(JSON.stringify(beacon), { 'Content-Type': 'text/plain' });
        const valid = Beacon.safeParse(JSON.parse(JSON.stringify(beacon))).success;
        expect(status).toBe(valid ? 202 : 400);
        expect(recorded.messages).toHaveLength(valid ? 1 : 0);
      }),
      { numRuns: 150 },
    );
  });

  it('enqueues every event of every valid beacon, with <= 25 Analytics Engine points', async () => {
    await fc.assert(
      fc.asyncProperty(validBeacon, async (beacon) => {
        const { status, recorded } = await send(JSON.stringify(beacon), { 'Content-Type': 'application/json' });
        expect(status).toBe(202);
        expect(recorded.messages).toHaveLength(1);
        expect(recorded.messages[0]!.events).toHaveLength(beacon.e.length);
        const metrics = beacon.e.filter((e) => e.t === 'm').length;
        expect(recorded.points).toHaveLength(Math.min(25, metrics));
      }),
      { numRuns: 100 },
    );
  });
});
