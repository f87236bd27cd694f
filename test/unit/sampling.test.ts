import { describe, expect, it } from 'vitest';
import { applySampling, MIN_SDK_RATE, parseRate } from '../../worker/collect/sample.ts';
import { isSampled, sampleBucket } from '../../sdk/lib/sampling.ts';

describe('sampling hash', () => {
  it('is deterministic and in [0, 1)', () => {
    for (const id of ['a', 'session-1', 'x'.repeat(64)]) {
      const bucket = sampleBucket(id);
      expect(bucket).toBe(sampleBucket(id));
      expect(bucket).toBeGreaterThanOrEqual(0);
      expect(bucket).toBeLessThan(1);
    }
  });

  it('matches FNV-1a 32-bit reference values', () => {
    // Reference: FNV-1a("a") = 0xe40c292c, FNV-1a("foobar") = 0xbf9cf968.
    expect(sampleBucket('a')).toBe(0xe40c292c / 2 ** 32);
    expect(sampleBucket('foobar')).toBe(0xbf9cf968 / 2 ** 32);
  });

  it('keeps about the configured share of sessions, nested across rates', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `s${i}-${(i * 2654435761) >>> 0}`);
    for (const rate of [0.01, 0.1, 0.5]) {
      const share = ids.filter((id) => isSampled(id, rate)).length / ids.length;
      expect(Math.abs(share - rate)).toBeLessThan(Math.max(0.01, rate * 0.1));
    }
    // A session kept at a low rate is kept at every higher rate (errors >= metrics).
    for (const id of ids.slice(0, 2_000)) if (isSampled(id, 0.1)) expect(isSampled(id, 0.5)).toBe(true);
    expect(ids.some((id) => isSampled(id, 0))).toBe(false);
    expect(ids.every((id) => isSampled(id, 1))).toBe(true);
  });

  it('parses rates defensively', () => {
    expect(parseRate(undefined)).toBe(1);
    expect(parseRate('')).toBe(1);
    expect(parseRate('0.25')).toBe(0.25);
    expect(parseRate('7')).toBe(1);
    expect(parseRate('-1')).toBe(0);
    expect(parseRate('abc', 0.5)).toBe(0.5);
  });

  it('weights each class by the inverse of its rate', () => {
    const id = Array.from({ length: 1000 }, (_, i) => `k${i}`).find((s) => isSampled(s, 0.2))!;
    const out = applySampling(id, [{ t: 'm', n: 'LCP', v: 1 }, { t: 'err', k: 'error', msg: 'm', c: 1 }], { metrics: 0.2, errors: 0.5 });
    expect(out.pvWeight).toBe(5);
    expect(out.events.map((e) => e.w)).toEqual([5, 2]);
  });

  const events = [{ t: 'm', n: 'LCP', v: 1 }, { t: 'err', k: 'error', msg: 'm', c: 1 }] as const;
  const ids = Array.from({ length: 5000 }, (_, i) => `s${i}`);

  it("weights by the SDK's rate when it sampled more thinly than the Worker", () => {
    const id = ids.find((s) => isSampled(s, 0.1))!;
    const out = applySampling(id, [...events], { metrics: 1, errors: 1 }, 0.1);
    expect(out.pvWeight).toBeCloseTo(10);
    expect(out.events.map((e) => e.w)).toEqual([out.pvWeight, out.pvWeight]);
    // The Worker's rate still applies where it is the smaller one.
    const both = applySampling(ids.find((s) => isSampled(s, 0.05))!, [...events], { metrics: 0.05, errors: 1 }, 0.1);
    expect(both.events.map((e) => e.w)).toEqual([20, 10]);
  });

  it('keeps counts unbiased: weighted, the kept sessions add up to all of them', () => {
    const many = Array.from({ length: 40_000 }, (_, i) => `session-${i}`);
    for (const [sdk, metrics, errors] of [[0.1, 1, 1], [0.5, 0.2, 1], [1, 0.3, 0.6], [0.25, 0.5, 0.1]] as const) {
      let pageViews = 0;
      let errorCount = 0;
      for (const id of many) {
        if (!isSampled(id, sdk)) continue; // what the SDK never sends
        const out = applySampling(id, [...events], { metrics, errors }, sdk);
        pageViews += out.pvWeight;
        errorCount += out.events.filter((e) => e.t === 'err').reduce((sum, e) => sum + e.w, 0);
      }
      expect(pageViews / many.length).toBeGreaterThan(0.9);
      expect(pageViews / many.length).toBeLessThan(1.1);
      expect(errorCount / many.length).toBeGreaterThan(0.9);
      expect(errorCount / many.length).toBeLessThan(1.1);
    }
  });

  it("drops a beacon from a session outside the SDK's own rate, and bounds the rate a client can claim", () => {
    const outside = ids.find((s) => !isSampled(s, 0.1))!;
    expect(applySampling(outside, [...events], { metrics: 1, errors: 1 }, 0.1)).toEqual({ events: [], pvWeight: 0 });
    const inside = ids.find((s) => isSampled(s, 0.000_01));
    if (inside) expect(applySampling(inside, [...events], { metrics: 1, errors: 1 }, 0.000_01).pvWeight).toBe(1 / MIN_SDK_RATE);
    const tiny = ids.find((s) => isSampled(s, MIN_SDK_RATE))!;
    expect(applySampling(tiny, [...events], { metrics: 1, errors: 1 }, 0).events).toEqual([]);
  });
});
