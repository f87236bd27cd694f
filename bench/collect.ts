/**
 * Collector under load, on loopback only and bounded (a fixed number of
 * beacons, a deadline): beacons per second and latency of `POST /collect`
 * against a trivial `GET /` at the same concurrency in the same run, then a
 * check that every accepted beacon was stored exactly once (page views in
 * D1 and LCP samples in the digests) and how long the queue took to drain.
 */
import { pathToFileURL } from 'node:url';
import { startLocalWorker } from './local-worker.ts';

const BEACONS = 2_000;
const CONCURRENCY = 16;
const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36';

export interface CollectBenchResult {
  rows: { what: string; perSecond: number; p50Ms: number; p99Ms: number; ratio: number; statuses: string }[];
  stored: { pageViews: number; lcpSamples: number; drainMs: number };
}

function beacon(i: number): string {
  const id = (p: string) => `${p}${i.toString(36).padStart(8, '0')}`;
  return JSON.stringify({
    v: 1,
    site: 'load',
    sid: id('s'),
    bid: id('b'),
    pv: { id: id('p'), path: `/item/${i}`, route: '/item/:id', nav: 'navigate' },
    ctx: { ect: '4g' },
    e: [
      { t: 'm', n: 'LCP', v: 800 + (i % 3000) },
      { t: 'm', n: 'FCP', v: 500 + (i % 1000) },
      { t: 'm', n: 'TTFB', v: 100 + (i % 500) },
      { t: 'm', n: 'CLS', v: (i % 10) / 100 },
      { t: 'm', n: 'INP', v: 8 * (1 + (i % 60)) },
      { t: 'nav', ttfb: 100, dns: 5, load: 900 },
    ],
  });
}

async function drive(count: number, request: (i: number) => Promise<Response>) {
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const i = next++;
        const t0 = performance.now();
        const response = await request(i);
        await response.arrayBuffer();
        latencies.push(performance.now() - t0);
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    perSecond: count / seconds,
    p50Ms: latencies[Math.floor(count * 0.5)]!,
    p99Ms: latencies[Math.floor(count * 0.99)]!,
    statuses: [...statuses].map(([s, n]) => `${n}x${s}`).join(' '),
  };
}

export async function runCollectBench(): Promise<CollectBenchResult> {
  const { base, headers, stop } = await startLocalWorker();
  try {
    await drive(50, () => fetch(`${base}/`)); // warm up
    const baseline = await drive(BEACONS, () => fetch(`${base}/`));
    const sentAt = Date.now();
    const collect = await drive(BEACONS, (i) =>
      fetch(`${base}/collect`, { method: 'POST', body: beacon(i), headers: { 'Content-Type': 'text/plain', 'User-Agent': UA } }),
    );
    const accepted = Number(collect.statuses.match(/(\d+)x202/)?.[1] ?? 0);
    const range = `site=load&from=${sentAt - 3_600_000}&to=${Date.now() + 3_600_000}`;
    let stored = { pageViews: 0, lcpSamples: 0, drainMs: 0 };
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const routes = (await (await fetch(`${base}/api/v1/routes?${range}`, { headers })).json()) as { data: { pageViews: number }[] };
      const summary = (await (await fetch(`${base}/api/v1/summary?${range}`, { headers })).json()) as { data: { metric: string; count: number }[] };
      stored = {
        pageViews: routes.data.reduce((sum, r) => sum + r.pageViews, 0),
        lcpSamples: summary.data.find((r) => r.metric === 'LCP')?.count ?? 0,
        drainMs: Date.now() - sentAt,
      };
      if (stored.pageViews >= accepted && stored.lcpSamples >= accepted) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    return {
      rows: [
        { what: 'baseline: GET /', ...baseline, ratio: 1 },
        { what: 'POST /collect (6 events a beacon)', ...collect, ratio: collect.perSecond / baseline.perSecond },
      ],
      stored,
    };
  } finally {
    await stop();
  }
}

export function formatCollectBench(result: CollectBenchResult): string {
  const lines = [
    `\n## Collector under load (local wrangler dev, ${BEACONS} beacons, ${CONCURRENCY} concurrent, loopback)\n`,
    '| request | per second | p50 ms | p99 ms | x baseline throughput | answers |',
    '|---|---:|---:|---:|---:|---|',
    ...result.rows.map((r) => `| ${r.what} | ${r.perSecond.toFixed(0)} | ${r.p50Ms.toFixed(1)} | ${r.p99Ms.toFixed(1)} | ${r.ratio.toFixed(2)} | ${r.statuses} |`),
    '',
    `Stored after the run: ${result.stored.pageViews} page views in D1 and ${result.stored.lcpSamples} LCP samples in the digests ` +
      `for ${BEACONS} beacons sent (${result.stored.pageViews === BEACONS && result.stored.lcpSamples === BEACONS ? 'PASS: every beacon stored exactly once' : 'FAIL'}); ` +
      `queue drained ${(result.stored.drainMs / 1000).toFixed(1)} s after the first beacon.`,
  ];
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(formatCollectBench(await runCollectBench()));
