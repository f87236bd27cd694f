/**
 * t-digest benchmark: our TDigest against the npm `tdigest` package and
 * DataDog's DDSketch (relative accuracy 1%) on the three Web Vitals shaped
 * data sets of bench/data.ts, 1e6 values each.
 *
 * Run alone with `npx tsx bench/tdigest.ts` (prints markdown), or call
 * `runTdigestBench()` from another script.
 */
import { createRequire } from 'node:module';
import { availableParallelism, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { DDSketch } from '@datadog/sketches-js';
import { TDigest } from '../worker/tdigest/tdigest.ts';
import { DATASETS, exactQuantile, rankError } from './data.ts';

const require = createRequire(import.meta.url);
const { TDigest: NpmTDigest } = require('tdigest') as { TDigest: new () => NpmDigest };
const { DenseStore } = require('@datadog/sketches-js/dist/ddsketch/store') as { DenseStore: DenseStoreClass };

interface NpmDigest {
  push(x: number): void;
  push_centroid(c: { mean: number; n: number }[]): void;
  compress(): void;
  percentile(p: number): number;
  toArray(): { mean: number; n: number }[];
}
interface DenseStoreLike {
  bins: number[];
  offset: number;
  count: number;
}
type DenseStoreClass = { fromProto(p: { contiguousBinCounts: number[]; contiguousBinIndexOffset: number }): DenseStoreLike };

/** What a benchmark needs from a sketch implementation. */
interface Impl<S> {
  readonly name: string;
  build(values: Float64Array): S;
  quantile(s: S, q: number): number;
  toBytes(s: S): Uint8Array;
  /** The sketch the "single" row queries: what a reader of its bytes gets. */
  single(s: S): S;
  /** Loads stored sketches, merges them into one and returns it. */
  loadMerge(stored: readonly Uint8Array[]): S;
}

const ours: Impl<TDigest> = {
  name: 'ours (TDigest)',
  build(values) {
    const d = new TDigest();
    for (let i = 0; i < values.length; i++) d.add(values[i]!);
    void d.count; // flushes the buffer: part of the cost of adding
    return d;
  },
  quantile: (d, q) => d.quantile(q),
  toBytes: (d) => d.toBytes(),
  single: (d) => TDigest.fromBytes(d.toBytes()),
  loadMerge(stored) {
    const merged = new TDigest();
    for (const b of stored) merged.merge(TDigest.fromBytes(b));
    return merged;
  },
};

const utf8 = new TextEncoder();
const npm: Impl<NpmDigest> = {
  name: 'npm tdigest',
  build(values) {
    const d = new NpmTDigest();
    for (let i = 0; i < values.length; i++) d.push(values[i]!);
    return d;
  },
  quantile: (d, q) => d.percentile(q),
  toBytes(d) {
    d.compress();
    return utf8.encode(JSON.stringify(d.toArray()));
  },
  // Reloading its JSON re-digests the centroids (shuffled), which would
  // change the answers: the single row queries the digest as built.
  single: (d) => d,
  loadMerge(stored) {
    // The package has no merge(): its way is to push the other centroids.
    const merged = new NpmTDigest();
    const text = new TextDecoder();
    for (const b of stored) merged.push_centroid(JSON.parse(text.decode(b)) as { mean: number; n: number }[]);
    merged.compress();
    return merged;
  },
};

const dd: Impl<DDSketch> = {
  name: 'DDSketch 1%',
  build(values) {
    const s = new DDSketch({ relativeAccuracy: 0.01 });
    for (let i = 0; i < values.length; i++) s.accept(values[i]!);
    return s;
  },
  quantile: (s, q) => s.getValueAtQuantile(q),
  toBytes: ddToProto,
  single: (s) => ddFromProto(ddToProto(s)),
  loadMerge(stored) {
    const merged = new DDSketch({ relativeAccuracy: 0.01 });
    for (const b of stored) merged.merge(ddFromProto(b));
    return merged;
  },
};

// DDSketch.toProto()/fromProto() need `protobufjs`, which @datadog/sketches-js
// 2.1.1 does not declare and which is not installed. This writes and reads
// the same DDSketch.proto wire format (field for field what its generated
// encoder emits), and rebuilds stores through the package's own fromProto.
function ddToProto(s: DDSketch): Uint8Array {
  const out: number[] = [];
  const varint = (v: number) => {
    for (; v >= 128; v = Math.floor(v / 128)) out.push((v % 128) + 128);
    out.push(v);
  };
  const f64 = (v: number) => out.push(...new Uint8Array(Float64Array.of(v).buffer));
  const sub = (tag: number, body: () => void) => {
    const start = out.length;
    body();
    const inner = out.splice(start);
    out.push(tag);
    varint(inner.length);
    out.push(...inner);
  };
  const store = (st: DenseStoreLike) => () => {
    if (st.bins.length > 0) sub(18, () => st.bins.forEach(f64));
    out.push(24);
    varint(st.offset >= 0 ? st.offset * 2 : -st.offset * 2 - 1);
  };
  const m = s.mapping as unknown as { gamma: number; _offset: number };
  sub(10, () => {
    out.push(9);
    f64(m.gamma);
    out.push(17);
    f64(m._offset);
    out.push(24, 0);
  });
  sub(18, store(s.store as unknown as DenseStoreLike));
  sub(26, store(s.negativeStore as unknown as DenseStoreLike));
  out.push(33);
  f64(s.zeroCount);
  return Uint8Array.from(out);
}

function ddFromProto(bytes: Uint8Array): DDSketch {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const varint = () => {
    let v = 0;
    for (let scale = 1; ; scale *= 128) {
      const b = bytes[pos++]!;
      v += (b & 127) * scale;
      if (b < 128) return v;
    }
  };
  const store = (end: number) => {
    const counts: number[] = [];
    let offset = 0;
    while (pos < end) {
      const tag = varint();
      if (tag === 18) {
        const stop = varint() + pos;
        for (; pos < stop; pos += 8) counts.push(view.getFloat64(pos, true));
      } else {
        const z = varint();
        offset = z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      }
    }
    return DenseStore.fromProto({ contiguousBinCounts: counts, contiguousBinIndexOffset: offset });
  };
  const s = new DDSketch({ relativeAccuracy: 0.01 });
  const target = s as unknown as { store: DenseStoreLike; negativeStore: DenseStoreLike; zeroCount: number; count: number };
  while (pos < bytes.length) {
    const tag = varint();
    if (tag === 33) {
      target.zeroCount = view.getFloat64(pos, true);
      pos += 8;
      continue;
    }
    const end = varint() + pos;
    if (tag === 18) target.store = store(end);
    else if (tag === 26) target.negativeStore = store(end);
    else pos = end; // mapping: same relative accuracy, so the same gamma
  }
  target.count = target.store.count + target.negativeStore.count + target.zeroCount;
  return s;
}

const QS = [0.5, 0.75, 0.95, 0.99] as const;

/**
 * One line of the result table.
 *
 * @example
 * runTdigestBench().rows.filter((r) => r.scenario === 'single');
 */
export interface TdigestBenchRow {
  dataset: string;
  impl: string;
  scenario: 'single' | '100-way merge';
  /** Millions of add() calls per second, median run (single rows only). */
  addsPerSecM: number | null;
  /** Same, fastest run. */
  addsPerSecBestM: number | null;
  /** Rank error at p50, p75, p95, p99. */
  rankErrors: [number, number, number, number];
  p75RelError: number;
  bytes: number;
  /** Load + merge + query of 100 stored digests, median ms (merge rows). */
  loadMergeQueryMs: number | null;
  /** Same, fastest run. */
  loadMergeQueryBestMs: number | null;
}

/**
 * A target of the issue, checked against the rows.
 *
 * @example
 * runTdigestBench().checks.every((c) => c.pass);
 */
export interface TdigestCheck {
  target: string;
  pass: boolean;
  detail: string;
}

/**
 * Everything a run measured.
 *
 * @example
 * const { rows, checks, ourSizes } = runTdigestBench({ n: 100_000 });
 */
export interface TdigestBenchResult {
  n: number;
  rows: TdigestBenchRow[];
  checks: TdigestCheck[];
  /** Largest encodings of ours: 1% slices, and after 100 self-merges. */
  ourSizes: { slices: number; selfMerged: number };
  /** 1-minute load average at start and end: timings are noisy when high. */
  load: [number, number];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** Median wall time of `fn` in ms, after `warmup` untimed runs. */
function timeMs<T>(fn: () => T, reps: number, warmup: number): { ms: number; best: number; last: T } {
  let last = fn();
  for (let i = 1; i < warmup; i++) last = fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    last = fn();
    times.push(performance.now() - t0);
  }
  return { ms: median(times), best: Math.min(...times), last };
}

interface Plan {
  addReps: number;
  addWarmup: number;
  mergeReps: number;
  mergeWarmup: number;
}

function measure<S>(impl: Impl<S>, plan: Plan, name: string, values: Float64Array, sorted: Float64Array) {
  const errors = (s: S) => QS.map((q) => rankError(sorted, impl.quantile(s, q), q)) as TdigestBenchRow['rankErrors'];
  const p75 = exactQuantile(sorted, 0.75);
  const rel = (s: S) => Math.abs(impl.quantile(s, 0.75) - p75) / p75;

  const adds = timeMs(() => impl.build(values), plan.addReps, plan.addWarmup);
  const bytes = impl.toBytes(adds.last);
  const single = impl.single(adds.last);

  const parts = 100;
  const size = values.length / parts;
  const stored = Array.from({ length: parts }, (_, p) => impl.toBytes(impl.build(values.subarray(p * size, (p + 1) * size))));
  const lmq = timeMs(
    () => {
      const m = impl.loadMerge(stored);
      for (const q of QS) impl.quantile(m, q);
      return m;
    },
    plan.mergeReps,
    plan.mergeWarmup,
  );
  const base = { dataset: name, impl: impl.name };
  const merged = { rankErrors: errors(lmq.last), p75RelError: rel(lmq.last) };
  // Serialized last: it compresses (ours) or reshuffles (npm) the sketch.
  const rows: TdigestBenchRow[] = [
    {
      ...base,
      scenario: 'single',
      addsPerSecM: values.length / adds.ms / 1e3,
      addsPerSecBestM: values.length / adds.best / 1e3,
      rankErrors: errors(single),
      p75RelError: rel(single),
      bytes: bytes.length,
      loadMergeQueryMs: null,
      loadMergeQueryBestMs: null,
    },
    {
      ...base,
      scenario: '100-way merge',
      addsPerSecM: null,
      addsPerSecBestM: null,
      ...merged,
      bytes: impl.toBytes(lmq.last).length,
      loadMergeQueryMs: lmq.ms,
      loadMergeQueryBestMs: lmq.best,
    },
  ];
  return { rows, sliceBytes: Math.max(...stored.map((b) => b.length)) };
}

/**
 * Runs the benchmark (5-10 s on 2 cores at n = 1e6) and checks the
 * targets of the issue.
 *
 * @example
 * const { rows, checks } = runTdigestBench();
 * console.log(formatTdigestBench(runTdigestBench({ n: 100_000 })));
 */
export function runTdigestBench(options: { n?: number } = {}): TdigestBenchResult {
  const n = options.n ?? 1_000_000;
  const loadAtStart = loadavg()[0]!;
  const data = DATASETS.map(({ name, generate }) => {
    const values = generate(n);
    return { name, values, sorted: Float64Array.from(values).sort() };
  });
  const rows: TdigestBenchRow[] = [];
  const ourSizes = { slices: 0, selfMerged: 0 };
  // One implementation at a time, so that none is timed while the garbage of
  // another is being collected.
  for (const { name, values, sorted } of data) {
    const mine = measure(ours, { addReps: 9, addWarmup: 2, mergeReps: 31, mergeWarmup: 10 }, name, values, sorted);
    rows.push(...mine.rows);
    // Repeated merges must not grow the encoding: 100 self-merges of 1e6.
    const d = TDigest.fromBytes(ours.toBytes(ours.build(values)));
    const acc = new TDigest();
    for (let i = 0; i < 100; i++) acc.merge(d);
    ourSizes.slices = Math.max(ourSizes.slices, mine.sliceBytes);
    ourSizes.selfMerged = Math.max(ourSizes.selfMerged, acc.toBytes().length);
  }
  for (const { name, values, sorted } of data) {
    rows.push(...measure(npm, { addReps: 1, addWarmup: 1, mergeReps: 3, mergeWarmup: 1 }, name, values, sorted).rows);
  }
  for (const { name, values, sorted } of data) {
    rows.push(...measure(dd, { addReps: 5, addWarmup: 1, mergeReps: 11, mergeWarmup: 3 }, name, values, sorted).rows);
  }
  return { n, rows, checks: checkTargets(rows, ourSizes, n), ourSizes, load: [loadAtStart, loadavg()[0]!] };
}

function checkTargets(rows: TdigestBenchRow[], sizes: TdigestBenchResult['ourSizes'], n: number): TdigestCheck[] {
  const mine = (scenario: TdigestBenchRow['scenario']) => rows.filter((r) => r.impl === ours.name && r.scenario === scenario);
  const check = (target: string, pick: (r: TdigestBenchRow) => number, ok: (v: number) => boolean, fmt: (v: number) => string, scenario: TdigestBenchRow['scenario']) => {
    const found = mine(scenario);
    return { target, pass: found.every((r) => ok(pick(r))), detail: found.map((r) => `${r.dataset} ${fmt(pick(r))}`).join(', ') };
  };
  const sci = (v: number) => (v === 0 ? '0' : v.toExponential(1));
  const pct = (v: number) => `${(v * 100).toFixed(3)}%`;
  return [
    check('>= 20 M add() calls/s', (r) => r.addsPerSecM!, (v) => v >= 20, (v) => v.toFixed(1), 'single'),
    check('load + merge + query 100 stored digests <= 1 ms', (r) => r.loadMergeQueryMs!, (v) => v <= 1, (v) => `${v.toFixed(3)} ms`, '100-way merge'),
    check('p99 rank error <= 1.5e-4, single stored digest', (r) => r.rankErrors[3], (v) => v <= 1.5e-4, sci, 'single'),
    check('p99 rank error <= 2.5e-4, 100-way merge of stored slices', (r) => r.rankErrors[3], (v) => v <= 2.5e-4, sci, '100-way merge'),
    check('p75 relative error <= 0.25%, single stored digest', (r) => r.p75RelError, (v) => v <= 0.0025, pct, 'single'),
    check('p75 relative error <= 0.25%, 100-way merge', (r) => r.p75RelError, (v) => v <= 0.0025, pct, '100-way merge'),
    sizeCheck(mine('single'), mine('100-way merge'), sizes, n),
  ];
}

function sizeCheck(single: TdigestBenchRow[], merged: TdigestBenchRow[], sizes: TdigestBenchResult['ourSizes'], n: number): TdigestCheck {
  const e = (x: number) => x.toExponential(0).replace('+', '');
  const most = (rs: TdigestBenchRow[]) => Math.max(...rs.map((r) => r.bytes));
  const all = [most(single), most(merged), sizes.slices, sizes.selfMerged];
  return {
    target: '<= 512 bytes serialized, whatever n and after repeated merges',
    pass: Math.max(...all) <= 512,
    detail:
      `largest: ${e(n)} values ${all[0]}, 100-way merge ${all[1]}, ${e(n / 100)}-value slices ${all[2]}, ` +
      `100 merges of the ${e(n)} digest (${e(100 * n)} values) ${all[3]} bytes`,
  };
}

/**
 * Markdown report: a table per data set, speed/size ratios, PASS/FAIL lines.
 *
 * @example
 * console.log(formatTdigestBench(runTdigestBench()));
 */
export function formatTdigestBench(result: TdigestBenchResult): string {
  const lines: string[] = [];
  const sci = (v: number) => (v === 0 ? '0' : v.toExponential(1));
  const load = result.load.map((l) => l.toFixed(2)).join(' -> ');
  lines.push(
    `- ${result.n.toLocaleString('en-US')} seeded values per data set (bench/data.ts).`,
    '- Rank error of an estimate e at q: distance from q to [#(< e), #(<= e)] / n, i.e. |#(<= e)/n - q| unless e',
    '  falls on tied values (INP), where any q inside the tied block counts as exact.',
    '- single: one sketch over all values, queried after a serialization round trip (npm tdigest: as built, since',
    '  reloading its JSON re-digests it).',
    '- 100-way merge: 100 sketches of consecutive 1% slices, each serialized; the timing is loading all 100, merging',
    '  them and querying p50/p75/p95/p99; bytes = the merged sketch serialized.',
    '- Timings: median (best) of several runs after warm-up runs; npm tdigest adds: one run. Shared machine:',
    `  1-minute load average ${load} on ${availableParallelism()} cores during the run.`,
    '- npm tdigest: size = JSON of toArray(); its compress() shuffles with Math.random, so its figures vary by run.',
    '- DDSketch: size of its toProto() encoding, written by this file because the package needs `protobufjs`, which',
    '  it does not declare and which is not installed.',
    '',
  );
  for (const { name } of DATASETS) {
    const rows = result.rows.filter((r) => r.dataset === name);
    lines.push(`### ${name}`, '');
    lines.push('| impl | scenario | adds/s (M), median (best) | p50 rank err | p75 rank err | p95 rank err | p99 rank err | p75 rel err | bytes | load+merge+query 100 (ms), median (best) |');
    lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of rows) {
      const adds = r.addsPerSecM === null ? '–' : `${r.addsPerSecM.toFixed(1)} (${r.addsPerSecBestM!.toFixed(1)})`;
      const lmq = r.loadMergeQueryMs === null ? '–' : `${r.loadMergeQueryMs.toFixed(3)} (${r.loadMergeQueryBestMs!.toFixed(3)})`;
      lines.push(`| ${r.impl} | ${r.scenario} | ${adds} | ${r.rankErrors.map(sci).join(' | ')} | ${(r.p75RelError * 100).toFixed(3)}% | ${r.bytes} | ${lmq} |`);
    }
    const get = (impl: string, scenario: string) => rows.find((r) => r.impl === impl && r.scenario === scenario)!;
    const mine = get(ours.name, 'single');
    const ratio = (peer: Impl<unknown>) => {
      const p = get(peer.name, 'single');
      const pm = get(peer.name, '100-way merge');
      const speed = mine.addsPerSecM! / p.addsPerSecM!;
      const lmq = pm.loadMergeQueryMs! / get(ours.name, '100-way merge').loadMergeQueryMs!;
      return `vs ${peer.name}: adds ${speed.toFixed(1)}x faster, size ${(mine.bytes / p.bytes).toFixed(3)}x (${(p.bytes / mine.bytes).toFixed(1)}x smaller), load+merge+query ${lmq.toFixed(1)}x faster`;
    };
    lines.push('', `Ratios, ours ${ratio(npm as Impl<unknown>)}; ours ${ratio(dd as Impl<unknown>)}.`, '');
  }
  lines.push('### Targets (ours)', '');
  for (const c of result.checks) lines.push(`- ${c.pass ? 'PASS' : 'FAIL'} ${c.target}: ${c.detail}`);
  return lines.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const t0 = performance.now();
  const result = runTdigestBench();
  console.log(`## t-digest vs npm tdigest vs DDSketch\n\n${formatTdigestBench(result)}`);
  console.log(`\n(bench took ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
