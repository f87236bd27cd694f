/**
 * Splitting a page view's events into request bodies: never over 60,000
 * bytes or 100 events, never an event lost or reordered, every body a beacon
 * the collector's own schema accepts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hex } from '../../sdk/lib/ids.ts';
import { byteLength, split } from '../../sdk/lib/split.ts';
import type { Event } from '../../sdk/types.ts';
import { Beacon, MAX_CLS, MAX_EVENTS, MAX_STACK } from '../../worker/schema/beacon.ts';

const head = () =>
  JSON.stringify({
    v: 1,
    site: 'shop',
    sid: hex(16),
    bid: hex(16),
    sr: 1,
    pv: { id: hex(16), path: '/a', route: '/a' },
  }).slice(0, -1);

const bigError = (i: number): Event => ({
  t: 'err',
  k: 'error',
  msg: `big error ${i} ` + 'é'.repeat(400),
  stack: '    at f (https://example.com/app.js:1:1)\n'.repeat(200).slice(0, MAX_STACK),
  c: 1,
});

const eventArb: fc.Arbitrary<Event> = fc.oneof(
  fc.record({ t: fc.constant('m' as const), n: fc.constantFrom('LCP', 'INP', 'FCP', 'TTFB' as const), v: fc.integer({ min: 0, max: 3_600_000 }) }),
  fc.record({ t: fc.constant('m' as const), n: fc.constant('CLS' as const), v: fc.double({ min: 0, max: MAX_CLS, noNaN: true }) }),
  fc.record({
    t: fc.constant('err' as const),
    k: fc.constantFrom('error', 'rejection' as const),
    msg: fc.string({ maxLength: 500, unit: 'grapheme' }).map((s) => s.slice(0, 500)),
    stack: fc.string({ maxLength: MAX_STACK, unit: 'grapheme' }).map((s) => s.slice(0, MAX_STACK)),
    c: fc.integer({ min: 1, max: 10_000 }),
  }),
  fc.record({ t: fc.constant('ev' as const), name: fc.string({ minLength: 1, maxLength: 64 }), v: fc.integer() }),
);

describe('split', () => {
  it('sends nothing for nothing', () => {
    expect(split([], head)).toEqual([]);
  });

  it('splits a page view over 60,000 bytes and keeps every event', () => {
    const events = Array.from({ length: 20 }, (_, i) => bigError(i));
    const bodies = split(events, head);
    expect(bodies.length).toBeGreaterThan(1);
    for (const body of bodies) expect(byteLength(body)).toBeLessThanOrEqual(60_000);
    const parsed = bodies.map((body) => Beacon.parse(JSON.parse(body)));
    expect(parsed.flatMap((b) => b.e.map((e) => (e.t === 'err' ? e.msg : '')))).toEqual(events.map((e) => (e as { msg: string }).msg));
    expect(new Set(parsed.map((b) => b.bid)).size).toBe(bodies.length);
  });

  it('puts at most 100 events in a beacon', () => {
    const events = Array.from({ length: 250 }, (_, i): Event => ({ t: 'ev', name: `e${i}` }));
    expect(split(events, head).map((body) => (JSON.parse(body) as { e: unknown[] }).e.length)).toEqual([100, 100, 50]);
  });

  it('holds for any events: bounded bodies, order kept, schema-valid', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 300 }), fc.integer({ min: 2_000, max: 60_000 }), (events, maxBytes) => {
        const bodies = split(events, head, maxBytes);
        const parsed = bodies.map((body) => {
          expect(byteLength(body)).toBeLessThanOrEqual(Math.max(maxBytes, byteLength(head()) + 2 + MAX_STACK * 3 + 1_600));
          return Beacon.parse(JSON.parse(body));
        });
        for (const beacon of parsed) expect(beacon.e.length).toBeLessThanOrEqual(MAX_EVENTS);
        expect(parsed.flatMap((b) => b.e.map((e) => e.t))).toEqual(events.map((e) => e.t));
      }),
      { numRuns: 60 },
    );
  });
});
