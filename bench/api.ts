/**
 * Query API latency on the local product: a Worker under `wrangler dev`
 * with local D1 and Durable Objects, loaded with 30 days of demo data
 * (hour digests), timed over loopback. The baseline is a trivial request to
 * the same Worker in the same run, so the ratio shows what the query adds.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const DAY = 86_400_000;
const RUNS = 40;

export interface ApiRow {
  query: string;
  medianMs: number;
  p95Ms: number;
  ratio: number;
  rows: number;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
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
  const persist = mkdtempSync(join(tmpdir(), 'edge-rum-bench-'));
  const token = randomBytes(12).toString('hex');
  const env = { ...process.env, CI: '1', WRANGLER_REGISTRY_PATH: join(persist, 'registry') };
  spawnSync('wrangler', ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist], { env, stdio: 'ignore' });
  const port = await freePort();
  const worker = spawn(
    'wrangler',
    ['dev', '--port', String(port), '--ip', '127.0.0.1', '--persist-to', persist, '--var', 'DEMO_DATA:1', '--var', `API_TOKEN:${token}`, '--var', `SESSION_SECRET:${token}`],
    { env, stdio: process.env.BENCH_DEBUG ? 'inherit' : 'ignore' },
  );
  const base = `http://127.0.0.1:${port}`;
  const headers = { Authorization: `Bearer ${token}` };
  try {
    const deadline = Date.now() + 120_000;
    while (!(await fetch(`${base}/`).then((r) => r.ok, () => false))) {
      if (Date.now() > deadline) throw new Error('wrangler dev did not start');
      await new Promise((r) => setTimeout(r, 300));
    }
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
    worker.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    rmSync(persist, { recursive: true, force: true });
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
