import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clsLike, DATASETS, exactQuantile, inpLike, lcpLike, mulberry32, rankError } from '../../bench/data.ts';
import { TDigest } from '../../worker/tdigest/tdigest.ts';

const QS = [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99] as const;

function digestOf(values: ArrayLike<number>, compression?: number): TDigest {
  const d = new TDigest(compression);
  for (let i = 0; i < values.length; i++) d.add(values[i]!);
  return d;
}

const roundTrip = (d: TDigest) => TDigest.fromBytes(d.toBytes());
const sortedCopy = (values: ArrayLike<number>) => Float64Array.from(values).sort();

/** The digest of 100 consecutive slices, each stored and loaded, merged. */
function mergedSlices(values: Float64Array, parts = 100): TDigest {
  const merged = new TDigest();
  const size = values.length / parts;
  for (let p = 0; p < parts; p++) merged.merge(roundTrip(digestOf(values.subarray(p * size, (p + 1) * size))));
  return merged;
}

describe('TDigest accuracy on Web Vitals shaped data (1e5 values)', () => {
  // p99 and p75 are held to the targets (stated for 1e6 values; they
  // hold at 1e5 as well). Other quantiles have no target: their bounds are
  // about twice what is measured, to catch regressions.
  for (const { name, generate } of DATASETS) {
    const values = generate(100_000);
    const sorted = sortedCopy(values);
    const stored = roundTrip(digestOf(values));
    const merged = mergedSlices(values);

    it(`${name}: stored digest within bounds`, () => {
      expect(rankError(sorted, stored.quantile(0.99), 0.99)).toBeLessThanOrEqual(1.5e-4);
      for (const q of QS) expect(rankError(sorted, stored.quantile(q), q)).toBeLessThanOrEqual(1e-3);
      const p75 = exactQuantile(sorted, 0.75);
      expect(Math.abs(stored.quantile(0.75) - p75) / p75).toBeLessThanOrEqual(0.0025);
    });

    it(`${name}: 100-way merge of stored slices within bounds`, () => {
      expect(rankError(sorted, merged.quantile(0.99), 0.99)).toBeLessThanOrEqual(2.5e-4);
      for (const q of QS) expect(rankError(sorted, merged.quantile(q), q)).toBeLessThanOrEqual(1.5e-3);
      const p75 = exactQuantile(sorted, 0.75);
      expect(Math.abs(merged.quantile(0.75) - p75) / p75).toBeLessThanOrEqual(0.0025);
    });

    it(`${name}: cdf agrees with the exact share at or below thresholds`, () => {
      // With ties (INP) the digest knows where a block of equal values sits
      // but not exactly where its edge is: a block at p50 holds 3% of the
      // data, and the edge is estimated within a tenth of that.
      const bound = name.startsWith('INP') ? 5e-3 : 1e-3;
      for (const q of [0.1, 0.5, 0.75, 0.9, 0.99]) {
        const x = exactQuantile(sorted, q);
        let below = 0;
        while (below < sorted.length && sorted[below]! <= x) below++;
        expect(Math.abs(stored.cdf(x) - below / sorted.length)).toBeLessThanOrEqual(bound);
        expect(Math.abs(merged.cdf(x) - below / sorted.length)).toBeLessThanOrEqual(bound);
      }
    });

    it(`${name}: exact count, min and max`, () => {
      expect(stored.count).toBe(values.length);
      expect(merged.count).toBe(values.length);
      expect(stored.min).toBe(sorted[0]);
      expect(stored.max).toBe(sorted[sorted.length - 1]);
      expect(merged.min).toBe(sorted[0]);
      expect(merged.max).toBe(sorted[sorted.length - 1]);
    });
  }

  it('CLS: zeros are exact (60% zeros: p50 = 0, cdf(0) = share of zeros)', () => {
    const values = clsLike(100_000);
    const zeros = values.filter((v) => v === 0).length;
    for (const d of [digestOf(values), roundTrip(digestOf(values)), mergedSlices(values)]) {
      expect(d.zeros).toBe(zeros);
      expect(d.quantile(0.5)).toBe(0);
      expect(d.quantile(zeros / values.length)).toBe(0);
      expect(d.quantile(zeros / values.length + 1e-4)).toBeGreaterThan(0);
      expect(d.cdf(0)).toBe(zeros / values.length);
      expect(d.cdf(-1)).toBe(0);
      expect(d.min).toBe(0);
    }
  });

  it('INP: answers stay on the 8 ms grid of the data', () => {
    const d = roundTrip(digestOf(inpLike(50_000)));
    for (const q of QS) expect(d.quantile(q) % 8).toBe(0);
  });
});

/** Values shaped like RUM data, from a fast-check seed: sizes vary widely. */
const rumValues = fc
  .record({
    n: fc.integer({ min: 1, max: 6000 }),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    kind: fc.constantFrom('lcp', 'inp', 'cls', 'mixed'),
  })
  .map(({ n, seed, kind }) => {
    if (kind === 'lcp') return lcpLike(n, seed);
    if (kind === 'inp') return inpLike(n, seed);
    if (kind === 'cls') return clsLike(n, seed);
    const rand = mulberry32(seed);
    return Float64Array.from({ length: n }, () => {
      const u = rand();
      return u < 0.2 ? 0 : u < 0.4 ? Math.floor(rand() * 50) : u < 0.7 ? rand() * 1e4 : Math.exp(rand() * 20);
    });
  });

describe('TDigest properties', () => {
  it('(a) merge order does not matter beyond the error bound', () => {
    fc.assert(
      fc.property(rumValues, fc.integer({ min: 2, max: 12 }), fc.integer(), (values, parts, shuffleSeed) => {
        const sorted = sortedCopy(values);
        const size = Math.ceil(values.length / parts);
        const digests = Array.from({ length: parts }, (_, p) => digestOf(values.subarray(p * size, (p + 1) * size)));
        const stored = digests.map((d) => d.toBytes());
        const inOrder = new TDigest();
        for (const b of stored) inOrder.merge(TDigest.fromBytes(b));
        const rand = mulberry32(shuffleSeed);
        const shuffled = stored.map((b) => [rand(), b] as const).sort((x, y) => x[0] - y[0]);
        const reordered = new TDigest();
        for (const [, b] of shuffled) reordered.merge(TDigest.fromBytes(b));
        // Bound: 1% of rank, plus two samples for tiny inputs.
        const bound = 0.01 + 2 / values.length;
        for (const q of QS) {
          expect(rankError(sorted, inOrder.quantile(q), q)).toBeLessThanOrEqual(bound);
          expect(rankError(sorted, reordered.quantile(q), q)).toBeLessThanOrEqual(bound);
        }
        expect(reordered.count).toBe(inOrder.count);
        expect(reordered.zeros).toBe(inOrder.zeros);
        expect(reordered.min).toBe(inOrder.min);
        expect(reordered.max).toBe(inOrder.max);
      }),
      { numRuns: 60 },
    );
  });

  it('(b) fromBytes(toBytes(d)) answers exactly like d', () => {
    fc.assert(
      fc.property(rumValues, fc.option(fc.integer()), (values, weightSeed) => {
        // With a seed, fractional weights (stored as float64).
        const rand = mulberry32(weightSeed ?? 0);
        const d = new TDigest();
        for (const v of values) d.add(v, weightSeed === null ? 1 : 0.1 + rand() * 4);
        const copy = TDigest.fromBytes(d.toBytes());
        for (let q = 0; q <= 1; q += 0.01) expect(copy.quantile(q)).toBe(d.quantile(q));
        for (let i = 0; i < values.length; i += Math.ceil(values.length / 50)) {
          expect(copy.cdf(values[i]!)).toBe(d.cdf(values[i]!));
        }
        // Close to the extremes, where the first and last means sit.
        const span = d.max - d.min;
        for (let k = 1; k <= 40; k++) {
          for (const x of [d.min + span * 2 ** -k, d.max - span * 2 ** -k]) expect(copy.cdf(x)).toBe(d.cdf(x));
        }
        expect([copy.min, copy.max, copy.count, copy.zeros]).toEqual([d.min, d.max, d.count, d.zeros]);
        expect(copy.toBytes()).toEqual(d.toBytes());
      }),
      { numRuns: 100 },
    );
  });

  it('(c) the encoding stays <= 512 bytes for any input size and repeated merges', () => {
    fc.assert(
      fc.property(rumValues, fc.integer({ min: 1, max: 30 }), (values, rounds) => {
        const d = digestOf(values);
        expect(d.toBytes().length).toBeLessThanOrEqual(512);
        const acc = TDigest.fromBytes(d.toBytes());
        for (let i = 0; i < rounds; i++) {
          acc.merge(TDigest.fromBytes(d.toBytes()));
          expect(acc.toBytes().length).toBeLessThanOrEqual(512);
        }
        expect(acc.count).toBe(d.count * (rounds + 1));
      }),
      { numRuns: 60 },
    );
    // Large inputs, and fractional weights (float64 weights in the format).
    const big = digestOf(lcpLike(1_000_000));
    expect(big.toBytes().length).toBeLessThanOrEqual(512);
    const acc = new TDigest();
    for (let i = 0; i < 200; i++) acc.merge(big);
    expect(acc.toBytes().length).toBeLessThanOrEqual(512);
    expect(acc.count).toBe(200_000_000);
    const weighted = new TDigest();
    const rand = mulberry32(3);
    for (let i = 0; i < 50_000; i++) weighted.add(rand() * 1000, 0.5 + rand());
    expect(weighted.toBytes().length).toBeLessThanOrEqual(512);
  });

  it('quantile is monotone in q and cdf in x', () => {
    fc.assert(
      fc.property(rumValues, fc.boolean(), fc.integer(), (values, weighted, seed) => {
        // Weighted variant: signed values and fractional weights as well.
        const rand = mulberry32(seed);
        const d = new TDigest();
        for (const v of values) d.add(weighted ? (v - 20) * (rand() < 0.5 ? -1 : 1) : v, weighted ? rand() * 3 : 1);
        for (const x of [d, roundTrip(d)]) {
          let prev = Number.NEGATIVE_INFINITY;
          for (let q = 0; q <= 1; q += 1 / 128) {
            const v = x.quantile(q);
            expect(v).toBeGreaterThanOrEqual(prev);
            prev = v;
          }
          const probes = sortedCopy(values.map((v) => v - 20)).filter((_, i) => i % 7 === 0);
          let last = 0;
          for (const v of probes) {
            const c = x.cdf(v);
            expect(c).toBeGreaterThanOrEqual(last);
            last = c;
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('(d) count is exact including weights; min and max are exact', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: 0, max: 1000 })), {
          minLength: 1,
          maxLength: 3000,
        }),
        (pairs) => {
          const d = new TDigest();
          for (const [v, w] of pairs) d.add(v, w);
          const kept = pairs.filter(([, w]) => w > 0);
          const total = kept.reduce((s, [, w]) => s + w, 0);
          const zeros = kept.filter(([v]) => v === 0).reduce((s, [, w]) => s + w, 0);
          for (const x of [d, roundTrip(d)]) {
            expect(x.count).toBe(total);
            expect(x.zeros).toBe(zeros);
            if (kept.length === 0) {
              expect(x.min).toBeNaN();
              continue;
            }
            // -0 counts as a zero, whose min/max is reported as 0.
            const vs = kept.map(([v]) => (v === 0 ? 0 : v));
            expect(x.min).toBe(Math.min(...vs));
            expect(x.max).toBe(Math.max(...vs));
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('TDigest edge cases', () => {
  it('empty digest: NaN answers, zero count, round trip', () => {
    for (const d of [new TDigest(), roundTrip(new TDigest())]) {
      expect(d.quantile(0.5)).toBeNaN();
      expect(d.cdf(1)).toBeNaN();
      expect(d.min).toBeNaN();
      expect(d.max).toBeNaN();
      expect(d.count).toBe(0);
      expect(d.zeros).toBe(0);
    }
  });

  it('single value', () => {
    for (const d of [digestOf([42.5]), roundTrip(digestOf([42.5]))]) {
      for (const q of [0, 0.01, 0.5, 0.99, 1]) expect(d.quantile(q)).toBe(42.5);
      expect(d.cdf(42.4)).toBe(0);
      expect(d.cdf(42.5)).toBe(1);
      expect([d.min, d.max, d.count]).toEqual([42.5, 42.5, 1]);
    }
  });

  it('small inputs are answered exactly (their centroids are the samples)', () => {
    const rand = mulberry32(21);
    for (let n = 1; n <= 40; n++) {
      const values = Float64Array.from({ length: n }, () => rand() * 1e4 - 100);
      const sorted = sortedCopy(values);
      const d = roundTrip(digestOf(values));
      for (let k = 1; k <= n; k++) expect(rankError(sorted, d.quantile(k / n), k / n)).toBe(0);
    }
  });

  it('narrow ranges and far outliers are sorted and answered correctly', () => {
    const rand = mulberry32(9);
    const narrow = Float64Array.from({ length: 20_000 }, () => 1000 + rand() * 1e-9);
    const outliers = Float64Array.from({ length: 20_000 }, (_, i) => (i % 1000 === 0 ? -1e300 : 1000 + rand()));
    for (const values of [narrow, outliers]) {
      const sorted = sortedCopy(values);
      const d = digestOf(values);
      for (const x of [d, roundTrip(d)]) {
        expect([x.min, x.max]).toEqual([sorted[0], sorted[sorted.length - 1]]);
        for (const q of QS) expect(rankError(sorted, x.quantile(q), q)).toBeLessThanOrEqual(2e-3);
      }
    }
  });

  it('all zeros', () => {
    const d = roundTrip(digestOf(new Float64Array(10_000)));
    expect([d.quantile(0), d.quantile(0.5), d.quantile(0.99), d.quantile(1)]).toEqual([0, 0, 0, 0]);
    expect([d.cdf(-1e-9), d.cdf(0), d.min, d.max, d.zeros, d.count]).toEqual([0, 1, 0, 0, 10_000, 10_000]);
  });

  it('all identical values', () => {
    const d = digestOf(new Float64Array(50_000).fill(1234.56));
    for (const x of [d, roundTrip(d)]) {
      for (const q of QS) expect(x.quantile(q)).toBe(1234.56);
      expect(x.cdf(1234.55)).toBe(0);
      expect(x.cdf(1234.56)).toBe(1);
    }
  });

  it('weights act like repeated values', () => {
    const weighted = new TDigest();
    const repeated = new TDigest();
    const rand = mulberry32(11);
    for (let i = 0; i < 2000; i++) {
      const v = Math.round(rand() * 5000);
      const w = 1 + Math.floor(rand() * 5);
      weighted.add(v, w);
      for (let k = 0; k < w; k++) repeated.add(v);
    }
    expect(weighted.count).toBe(repeated.count);
    for (const q of QS) {
      const a = weighted.quantile(q);
      const b = repeated.quantile(q);
      expect(Math.abs(repeated.cdf(a) - repeated.cdf(b))).toBeLessThanOrEqual(0.01);
    }
    const z = new TDigest();
    z.add(0, 3);
    z.add(5, 1);
    z.add(7, 0);
    expect([z.count, z.zeros, z.quantile(0.5), z.cdf(0), z.max]).toEqual([4, 3, 0, 0.75, 5]);
  });

  it('negative values are accepted; only exact zeros are counted as zeros', () => {
    const d = digestOf([-5, -1, 0, -0, 2, 3]);
    expect([d.min, d.max, d.zeros, d.count]).toEqual([-5, 3, 2, 6]);
    expect(d.quantile(0.5)).toBe(0);
    expect(d.cdf(-10)).toBe(0);
    expect(d.cdf(3)).toBe(1);
  });

  it('rejects invalid input with RangeError', () => {
    const d = new TDigest();
    expect(() => d.add(Number.NaN)).toThrow(RangeError);
    expect(() => d.add(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => d.add(1, -1)).toThrow(RangeError);
    expect(() => d.add(1, Number.NaN)).toThrow(RangeError);
    expect(() => d.add(1, Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => d.quantile(1.5)).toThrow(RangeError);
    expect(() => d.quantile(Number.NaN)).toThrow(RangeError);
    expect(() => d.cdf(Number.NaN)).toThrow(RangeError);
    expect(() => new TDigest(0)).toThrow(RangeError);
    expect(() => d.merge(d)).toThrow(RangeError);
    expect(d.count).toBe(0);
  });

  it('rejects malformed bytes with RangeError', () => {
    const good = digestOf(lcpLike(5000)).toBytes();
    expect(() => TDigest.fromBytes(new Uint8Array(0))).toThrow(RangeError);
    expect(() => TDigest.fromBytes(Uint8Array.of(99, ...good.subarray(1)))).toThrow(RangeError);
    expect(() => TDigest.fromBytes(good.subarray(0, good.length - 3))).toThrow(RangeError);
    expect(() => TDigest.fromBytes(Uint8Array.of(...good, 0))).toThrow(RangeError);
  });

  it('merging leaves the source answering the same', () => {
    const a = digestOf(lcpLike(20_000, 1));
    const b = digestOf(lcpLike(20_000, 2));
    const before = QS.map((q) => b.quantile(q));
    a.merge(b);
    expect(QS.map((q) => b.quantile(q))).toEqual(before);
    expect(a.count).toBe(40_000);
  });

  it('toBytes is idempotent and compress() makes memory match the bytes', () => {
    const d = digestOf(lcpLike(100_000));
    d.compress();
    const first = d.toBytes();
    expect(d.toBytes()).toEqual(first);
    const copy = TDigest.fromBytes(first);
    for (const q of QS) expect(copy.quantile(q)).toBe(d.quantile(q));
  });
});
