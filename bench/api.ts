/**
 * Query API latency on the local product: a Worker under `wrangler dev`
 * with local D1 and Durable Objects, loaded with 30 days of demo data
 * (hour digests), timed over loopback. The baseline is a trivial request to
 * the same Worker in the same run, so the ratio shows what the query adds.
 */
import { pathToFileURL } from 'node:url';
import { startLocalWorker } from './local-worker.ts';

const DAY = 86_400_000;
const RUNS = 40;

export interface ApiRow {
  query: string;
  medianMs: number;
  p95Ms: number;
  ratio: number;
  rows: number;
}

async function time(url: string, headers: Record<string, string>): Promise<{ ms: number[]; rows: number }> {
  const ms: number[] = [];
  let rows = 0;
  for (let i = 0; i < RUNS + 3; i++) {
    const start = performance.now();
    const response = await fetch(url, { headers });
    const body = (await response.json().catch(() => ({}))) as { data?: unknown[] };
    if (!response.ok) throw new Error(`${url}: ${response.status} ${JSON.stringify(body)}`);
    if (i >= 3) ms.push(performance.now() - start); // the first calls warm the isolate and objects
    rows = body.data?.length ?? 0;
  }
  return { ms: ms.sort((a, b) => a - b), rows };
}

const median = (sorted: number[]) => sorted[Math.floor(sorted.length / 2)]!;
const p95 = (sorted: number[]) => sorted[Math.floor(sorted.length * 0.95)]!;

export async function runApiBench(): Promise<ApiRow[]> {
  const { base, headers, stop } = await startLocalWorker({ DEMO_DATA: '1' });
  try {
    const now = Date.now();
    const today = Math.floor(now / DAY) * DAY;
    for (let day = today - 30 * DAY; day <= today; day += DAY) {
      // Loading is idempotent (beacon ids dedupe), so a restart mid-request (source edits) is retried.
      for (let attempt = 1; ; attempt++) {
        const response = await fetch(`${base}/api/v1/demo/load?site=demo&day=${day}`, { method: 'POST', headers });
        if (response.ok) break;
        if (response.status !== 503 || attempt === 5) throw new Error(`demo load: ${response.status} ${await response.text()}`);
      }
    }
    const range = `site=demo&from=${now - 30 * DAY}&to=${now}`;
    const queries: [string, string][] = [
      ['baseline: GET / (no query)', `${base}/`],
      ['p75 LCP, one route, 30 days, one bucket (day roll-ups + edge hours)', `${base}/api/v1/percentiles?${range}&route=/products/:id&metric=LCP&q=75&interval=30d`],
      ['p75 LCP, one route, 30 days, hourly series (all 720 hour digests)', `${base}/api/v1/percentiles?${range}&route=/products/:id&metric=LCP&q=75&interval=1h`],
      ['p50/75/95/99 LCP, whole site, 30 days, daily series', `${base}/api/v1/percentiles?${range}&metric=LCP&interval=1d`],
      ['breakdown LCP by country, whole site, 30 days', `${base}/api/v1/breakdown?${range}&metric=LCP&by=country`],
      ['summary (5 metrics), whole site, 30 days', `${base}/api/v1/summary?${range}`],
    ];
    const rows: ApiRow[] = [];
    let baseline = 0;
    for (const [query, url] of queries) {
      const result = url.endsWith('/') ? { ...(await time(url, {}).catch(() => ({ ms: [0], rows: 0 }))) } : await time(url, headers);
      const med = median(result.ms);
      if (!baseline) baseline = med;
      rows.push({ query, medianMs: med, p95Ms: p95(result.ms), ratio: med / baseline, rows: result.rows });
    }
    return rows;
  } finally {
    await stop();
  }
}

export function printApiRows(rows: ApiRow[]): void {
  console.log(`\n## Query API latency (local wrangler dev, 30 days of demo data, ${RUNS} runs each, loopback round trip)\n`);
  console.log('| query | median ms | p95 ms | x baseline | rows |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.query} | ${r.medianMs.toFixed(1)} | ${r.p95Ms.toFixed(1)} | ${r.ratio.toFixed(1)} | ${r.rows} |`);
  const target = rows.find((r) => r.query.includes('720 hour digests'));
  if (target) console.log(`\n${target.medianMs < 20 ? 'PASS' : 'FAIL'}: p75 for one route over 30 days of hour digests (all 720 read) < 20 ms (median ${target.medianMs.toFixed(1)} ms)`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) printApiRows(await runApiBench());
