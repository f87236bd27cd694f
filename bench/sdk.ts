/**
 * SDK overhead in headless Chromium: script evaluation plus `init()` for
 * each first-party build, two ways. First visit: around the insertion of an
 * inline `<script>` carrying the built body (so parse, compile and run all
 * count), in a fresh page per run. Returning visit: the script loaded by URL
 * on repeated visits in one profile, timed from its first statement to its
 * last, once Chromium's code cache holds it. And the long tasks (>= 50 ms)
 * seen from insertion through a hidden-page flush. The same for the agents
 * people compare with (`bench/peers.ts`), measured, not quoted. Reported,
 * not asserted: timings on a shared machine are noisy.
 *
 * @example
 * ```sh
 * npx tsx bench/sdk.ts          # prints the table
 * npm run bench -- sdk          # the same, inside the full bench run
 * ```
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, constants } from 'node:zlib';
import { chromium } from 'playwright-core';
import { buildScript, SCRIPT_ENTRIES } from '../scripts/build-sdk.ts';
import { peers } from './peers.ts';
import { CHROME_ARGS, chromePath } from '../test/browser/harness.ts';

const RUNS = 33;
/**
 * Cross-origin isolation: `performance.now()` then resolves 5 microseconds
 * instead of 100 (https://w3c.github.io/hr-time/#dfn-coarsen-time).
 */
const ISOLATED = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
/** Measured returning visits per script (after three that warm the caches). */
const RETURN_VISITS = 20;

export interface SdkBenchRow {
  script: string;
  /** Brotli (quality 11) bytes of what runs in the page. */
  brotliBytes: number;
  /** Script evaluation + init, milliseconds (median and 95th percentile of RUNS fresh pages). */
  initMedianMs?: number;
  initP95Ms?: number;
  /** Execution + init on a returning visit (script from the HTTP cache, V8 code cache warm), median ms. */
  returningMs?: number;
  /** Long tasks from insertion through a flush on hide, summed over all runs. */
  longTasks?: number;
  note?: string;
}

const brotli = (text: string) => brotliCompressSync(text, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};

/**
 * Runs in the page: evaluation + init of `body`, then long tasks through a
 * flush on hide. A string, not a function, because tsx's name-keeping helper
 * (`__name`) does not exist in the page.
 */
const MEASURE_IN_PAGE = `async (body) => {
  const observed = { longTasks: 0 };
  new PerformanceObserver((list) => (observed.longTasks += list.getEntries().length)).observe({ type: 'longtask' });
  const script = document.createElement('script');
  script.dataset.site = 'bench';
  script.dataset.endpoint = '/collect';
  script.textContent = body;
  const start = performance.now();
  document.head.append(script);
  const initMs = performance.now() - start;
  await new Promise((resolve) => setTimeout(resolve, 300));
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
  document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
  await new Promise((resolve) => setTimeout(resolve, 200));
  return { initMs, longTasks: observed.longTasks };
}`;

export async function runSdkBench(): Promise<SdkBenchRow[]> {
  const served = new Map<string, string>();
  const server = createServer((req, res) => {
    if (req.method === 'POST') {
      req.resume();
      res.writeHead(202).end();
      return;
    }
    const script = /^\/s\/(\d+)\.js$/.exec(req.url ?? '');
    if (script) {
      // Timing marks around the body: the top-level compile happens before the
      // first one, so this is execution + init (lazy compiles included).
      res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'max-age=3600' });
      // Line breaks: a body may end in a `//` comment (a source map URL).
      res.end(`self.__t0=performance.now();\n${served.get(script[1]!)}\n;self.__t1=performance.now();`);
      return;
    }
    const visit = /^\/visit\/(\d+)$/.exec(req.url ?? '');
    if (visit) {
      res.writeHead(200, { 'content-type': 'text/html', ...ISOLATED });
      res.end(`<!doctype html><html><head><title>bench</title><script src="/s/${visit[1]}.js" data-site="bench" data-endpoint="/collect"></script></head><body><h1>SDK bench</h1></body></html>`);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html', ...ISOLATED });
    res.end('<!doctype html><html><head><title>bench</title></head><body><h1>SDK bench</h1></body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: chromePath(), args: CHROME_ARGS });
  const rows: SdkBenchRow[] = [];
  try {
    const builds = Object.fromEntries(
      await Promise.all(Object.entries(SCRIPT_ENTRIES).map(async ([name, entry]) => [name, await buildScript(entry)] as const)),
    );
    // Calibration on the same machine: web-vitals alone (built by the same
    // pipeline, all five metrics registered), and the core script parsed but not run.
    const webVitals = await buildScript('bench/web-vitals-only.ts');
    const variants: [string, string, string | undefined][] = [
      ...Object.entries(builds).map(([name, body]) => [name, body, undefined] as [string, string, undefined]),
      ['calibration: web-vitals 6 alone', webVitals, 'its five on* calls, no SDK, same build'],
      [
        'what-if: rum.js on web-vitals 5.3',
        await buildScript(SCRIPT_ENTRIES['rum.js']!, { 'web-vitals': 'web-vitals-5' }),
        'v5 has no soft-navigation reporting, which the SDK needs; for scale only',
      ],
      ['what-if: web-vitals 5.3 alone', await buildScript('bench/web-vitals-only.ts', { 'web-vitals': 'web-vitals-5' }), 'same build'],
      ['calibration: rum.js parsed, not run', `if (window.__never) {${builds['rum.js']}}`, 'compile cost of the bytes alone'],
      ['calibration: empty script', ';', 'the floor: inserting any inline script'],
      ...(await peers()).map((peer): [string, string, string] => [peer.name, peer.body, peer.note]),
    ];
    // Round-robin: every round measures each variant once, so a slow spell of
    // the machine lands on all of them alike and the ratios hold. The first
    // rounds warm the browser process up; the rest are kept.
    const firstVisit = variants.map(() => [] as number[]);
    const returning = variants.map(() => [] as number[]);
    const longTasks = variants.map(() => 0);
    const keys = variants.map(([, body]) => {
      const key = String(served.size);
      served.set(key, body);
      return key;
    });
    for (let run = 0; run < RUNS; run++) {
      for (const [i, [, body]] of variants.entries()) {
        const context = await browser.newContext();
        const page = await context.newPage();
        await page.goto(origin);
        const result = (await page.evaluate(`(${MEASURE_IN_PAGE})(${JSON.stringify(body)})`)) as { initMs: number; longTasks: number };
        await context.close();
        if (run >= 3) firstVisit[i]!.push(result.initMs);
        longTasks[i]! += result.longTasks;
      }
    }
    // Returning visitors: the same script loaded by URL on repeated visits in
    // one browser profile per variant. Chromium keeps V8's code cache for a
    // script seen on earlier visits, so later visits skip most compilation;
    // the first three visits warm it, the rest are measured, round-robin too.
    const profiles = await Promise.all(variants.map(async () => (await browser.newContext()).newPage()));
    for (let visitNo = 0; visitNo < 3 + RETURN_VISITS; visitNo++) {
      for (const [i, visitor] of profiles.entries()) {
        await visitor.goto(`${origin}/visit/${keys[i]}`);
        const ms = (await visitor.evaluate('self.__t1 - self.__t0')) as number;
        if (visitNo >= 3) returning[i]!.push(ms);
      }
    }
    for (const visitor of profiles) await visitor.context().close();
    for (const [i, [name, body, note]] of variants.entries()) {
      rows.push({
        script: name,
        brotliBytes: brotli(body),
        initMedianMs: quantile(firstVisit[i]!, 0.5),
        initP95Ms: quantile(firstVisit[i]!, 0.95),
        returningMs: quantile(returning[i]!, 0.5),
        longTasks: longTasks[i]!,
        note,
      });
    }
  } finally {
    await browser.close();
    server.close();
  }
  return rows;
}

export function formatSdkBench(rows: SdkBenchRow[]): string {
  const ms = (value: number | undefined) => (value === undefined ? '' : value.toFixed(2));
  return [
    `## SDK: evaluation + init in headless Chromium (${RUNS - 3} fresh pages each), long tasks, brotli size\n`,
    '| script | brotli bytes | first visit: eval+init median ms | p95 ms | returning visit: run+init median ms | long tasks | note |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows.map(
      (r) =>
        `| ${r.script} | ${r.brotliBytes.toLocaleString('en-US')} | ${ms(r.initMedianMs)} | ${ms(r.initP95Ms)} | ${ms(r.returningMs)} | ${r.longTasks ?? ''} | ${r.note ?? ''} |`,
    ),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(formatSdkBench(await runSdkBench()));
