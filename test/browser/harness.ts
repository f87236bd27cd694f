/**
 * Browser-test harness: the real Worker under `wrangler dev` (local D1, Queue,
 * Durable Objects) with `ROUTE_PREFIX=/rum`, a fresh persistence directory and
 * the migrations applied, behind a small Node server that plays the site:
 * it serves `test/browser/fixtures/*` and proxies `/rum/*` to the Worker with
 * the Host header kept, which is the deployed shape (the Worker routed at
 * `example.com/rum/*`, same origin as the pages). Every request to
 * `/rum/collect` is recorded, so tests can assert that nothing was sent.
 * Stored rows are read from the same local D1 through wrangler's
 * `getPlatformProxy`, polled until they arrive (the local queue delivers
 * batches after `max_batch_timeout`).
 *
 * @example
 * ```ts
 * const h = await startHarness();
 * const page = await h.page();
 * await page.goto(h.url('/01_vitals.html'));
 * const rows = await h.waitForRows('SELECT metric FROM metric_events WHERE site = ?', ['f01'], (r) => r.length >= 5);
 * await h.close();
 * ```
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { getPlatformProxy } from 'wrangler';
import { buildSdk } from '../../scripts/build-sdk.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const wranglerBin = join(root, 'node_modules/.bin/wrangler');

/** Path prefix the Worker is routed under in these tests. */
export const PREFIX = '/rum';

/** The browser binary: `CHROME_PATH` when set, else Debian's Chromium (see scripts/ensure-browser.ts). */
export const chromePath = (): string => process.env.CHROME_PATH || '/usr/bin/chromium';

/**
 * The collector drops bots (isbot), and "HeadlessChrome" is one. The same
 * browser under its ordinary name, set browser-wide with `--user-agent`: a
 * per-context override does not reach beacons sent while a page unloads.
 */
export const userAgent = (): string => {
  const version = spawnSync(chromePath(), ['--version'], { encoding: 'utf8' }).stdout.match(/(\d+)\.\d+\.\d+\.\d+/)?.[1] ?? '150';
  return `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${version}.0.0.0 Safari/537.36`;
};

export const CHROME_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** A request the site server saw for `/rum/collect`. */
export interface CollectRequest {
  bytes: number;
  status: number;
  body: string;
  /** `site` of the beacon, when the body parsed. */
  site?: string;
  /** Page the beacon came from (Referer path). */
  referer?: string;
  userAgent?: string;
}

export interface Harness {
  /** Origin of the site (fixtures and the proxied Worker), e.g. `http://127.0.0.1:41234`. */
  origin: string;
  /** The Worker's `API_TOKEN` for this run. */
  apiToken: string;
  url(path: string): string;
  /** A fresh browser context's page; `features` relaunches Chromium with `--enable-features=...`. */
  page(options?: { features?: string; init?: () => void }): Promise<Page>;
  /**
   * Answers the next `count` collect requests of `site` sent with fetch (not
   * sendBeacon, whose outcome a page cannot see) with 503, before the Worker.
   */
  failFetches(site: string, count: number): void;
  /**
   * Opens `path` in a Chromium of its own that no DevTools client drives:
   * Chromium refuses speculation-rules prerendering while DevTools is
   * attached (`PrerenderingDisabledByDevTools`), so the prerender scenario
   * cannot use `page()`. The page must carry on by itself; `close()` ends it.
   */
  undriven(path: string): { close(): void };
  /** Requests to `/rum/collect` so far, optionally only those of one site. */
  collected(site?: string): CollectRequest[];
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Polls `query` until `done(rows)` holds, or fails with the last rows after `timeoutMs`. */
  waitForRows<T = Record<string, unknown>>(
    sql: string,
    params: unknown[],
    done: (rows: T[]) => boolean,
    timeoutMs?: number,
  ): Promise<T[]>;
  close(): Promise<void>;
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * The site: `/rum/*` goes to the Worker; any other path is served from the
 * fixtures by its last segment, so `/u/jane@example.com/07_privacy.html?x`
 * serves `fixtures/07_privacy.html` (privacy tests need such URLs), and
 * `/slow/<ms>/<file>` delays the response (LCP and TTFB ratings).
 */
function siteServer(workerPort: number, log: CollectRequest[], failures: Map<string, number>): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://site');
    if (url.pathname.startsWith(`${PREFIX}/`) || url.pathname === PREFIX) {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        // sendBeacon requests are no-cors; the SDK's fetch fallback is not.
        const site = /"site":"([^"]+)"/.exec(body.toString('utf8'))?.[1];
        const failing = site ? (failures.get(site) ?? 0) : 0;
        if (failing > 0 && req.headers['sec-fetch-mode'] !== 'no-cors') {
          failures.set(site!, failing - 1);
          log.push({ bytes: body.length, status: 503, body: body.toString('utf8'), site, userAgent: req.headers['user-agent'] });
          res.writeHead(503, { 'content-type': 'text/plain' });
          res.end('injected failure');
          return;
        }
        const upstream = httpRequest(
          { host: '127.0.0.1', port: workerPort, method: req.method, path: req.url, headers: req.headers as IncomingHttpHeaders },
          (response) => {
            if (url.pathname === `${PREFIX}/collect` && req.method === 'POST') {
              let site: string | undefined;
              try {
                site = (JSON.parse(body.toString('utf8')) as { site?: string }).site;
              } catch {
                // Recorded as is; the Worker answers 400.
              }
              const referer = req.headers.referer ? new URL(req.headers.referer).pathname : undefined;
              log.push({
                bytes: body.length,
                status: response.statusCode ?? 0,
                body: body.toString('utf8'),
                site,
                referer,
                userAgent: req.headers['user-agent'],
              });
            }
            // Read the Worker's answer whole even when the page has gone (a
            // beacon sent while navigating away): the upstream exchange always completes.
            const answer: Buffer[] = [];
            response.on('data', (chunk: Buffer) => answer.push(chunk));
            response.on('end', () => {
              if (res.destroyed) return;
              res.writeHead(response.statusCode ?? 502, response.headers);
              res.end(Buffer.concat(answer));
            });
          },
        );
        upstream.on('error', (error) => {
          res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(`worker unreachable: ${error.message}`);
        });
        upstream.end(body);
      });
      return;
    }
    if (url.pathname === '/echo-traceparent') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ traceparent: req.headers.traceparent ?? null }));
      return;
    }
    const delay = url.pathname.match(/^\/slow\/(\d+)\//)?.[1];
    const file = join(fixtures, basename(url.pathname) || 'index.html');
    const name = basename(file);
    const shared = url.pathname.startsWith('/shared/') ? join(fixtures, 'shared', name) : undefined;
    const path = shared && existsSync(shared) ? shared : file;
    setTimeout(
      () => {
        if (!existsSync(path) || name.startsWith('.')) {
          res.writeHead(404, { 'content-type': 'text/plain' });
          res.end('not found');
          return;
        }
        const ext = name.slice(name.lastIndexOf('.'));
        res.writeHead(200, { 'content-type': CONTENT_TYPES[ext] ?? 'application/octet-stream', 'cache-control': 'no-store' });
        res.end(readFileSync(path));
      },
      Number(delay ?? 0),
    );
  });
}

export async function startHarness(): Promise<Harness> {
  await buildSdk();
  const persist = mkdtempSync(join(tmpdir(), 'edge-rum-browser-'));
  // A private dev registry: with the shared one, a running `npm start` (same Worker name)
  // would consume this run's queue messages, and the other way round.
  const env = { ...process.env, CI: '1', WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1', WRANGLER_REGISTRY_PATH: join(persist, 'registry') };
  const migrate = spawnSync(wranglerBin, ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist], {
    cwd: root,
    env,
    encoding: 'utf8',
  });
  if (migrate.status !== 0) throw new Error(`migrations failed:\n${migrate.stdout}\n${migrate.stderr}`);

  const workerPort = await freePort();
  const apiToken = randomBytes(16).toString('hex');
  // Secrets for this run only, as --var flags: nothing is written to the repository.
  const worker: ChildProcess = spawn(
    wranglerBin,
    [
      'dev',
      '--port',
      String(workerPort),
      '--ip',
      '127.0.0.1',
      '--persist-to',
      persist,
      '--show-interactive-dev-session=false',
      '--var',
      `ROUTE_PREFIX:${PREFIX}`,
      '--var',
      `SESSION_SECRET:${randomBytes(32).toString('hex')}`,
      '--var',
      `API_TOKEN:${apiToken}`,
      // The demo data loader (`POST /api/v1/demo/load`), for scenarios that need days of data.
      '--var',
      'DEMO_DATA:1',
    ],
    { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let workerLog = '';
  worker.stdout?.on('data', (d: Buffer) => (workerLog += d.toString()));
  worker.stderr?.on('data', (d: Buffer) => (workerLog += d.toString()));
  const stopWorker = () => {
    // The whole process group (wrangler and its workerd), which this harness started.
    if (worker.pid && worker.exitCode === null) {
      try {
        process.kill(-worker.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
  };

  // Also when the test process ends without close() (a crash, a timeout).
  process.once('exit', stopWorker);

  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      const response = await fetch(`http://127.0.0.1:${workerPort}${PREFIX}/`);
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (worker.exitCode !== null || Date.now() > deadline) {
      stopWorker();
      throw new Error(`wrangler dev did not start:\n${workerLog}`);
    }
    await sleep(250);
  }

  const log: CollectRequest[] = [];
  const failures = new Map<string, number>();
  const server = siteServer(workerPort, log, failures);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // A D1-only config for the reader (same binding and database id, so the
  // same local database), so it does not try to host the Worker's Durable Objects.
  const d1Block = readFileSync(join(root, 'wrangler.toml'), 'utf8').match(/\[\[d1_databases\]\][^[]*/)?.[0];
  if (!d1Block) throw new Error('wrangler.toml has no [[d1_databases]] block');
  const readerConfig = join(persist, 'reader.toml');
  writeFileSync(readerConfig, `name = "edge-rum-reader"\ncompatibility_date = "2026-11-01"\n${d1Block}`);
  const proxy = await getPlatformProxy<{ DB: D1Database }>({
    configPath: readerConfig,
    // getPlatformProxy wants the state directory itself; `--persist-to` adds `v3`.
    persist: { path: join(persist, 'v3') },
  });
  const db = proxy.env.DB;

  const browsers = new Map<string, Browser>();
  const undriven: ChildProcess[] = [];
  const contexts: BrowserContext[] = [];
  const browser = async (features = '') => {
    let b = browsers.get(features);
    if (!b) {
      b = await chromium.launch({
        executablePath: chromePath(),
        args: [...CHROME_ARGS, `--user-agent=${userAgent()}`, ...(features ? [`--enable-features=${features}`] : [])],
        // Playwright turns the back/forward cache off by default; the bfcache scenario needs it.
        ignoreDefaultArgs: ['--disable-back-forward-cache'],
      });
      browsers.set(features, b);
    }
    return b;
  };

  const query = async <T>(sql: string, params: unknown[] = []): Promise<T[]> =>
    (await db.prepare(sql).bind(...params).all<T>()).results;

  return {
    origin,
    apiToken,
    url: (path) => origin + path,
    async page(options = {}) {
      const context = await (await browser(options.features)).newContext();
      contexts.push(context);
      if (options.init) await context.addInitScript(options.init);
      return context.newPage();
    },
    failFetches: (site, count) => void failures.set(site, count),
    undriven(path) {
      const profile = mkdtempSync(join(tmpdir(), 'edge-rum-chromium-'));
      const child = spawn(chromePath(), [...CHROME_ARGS, `--user-agent=${userAgent()}`, `--user-data-dir=${profile}`,
        // Keeps headless Chromium running; no client connects to it.
        '--remote-debugging-port=0',
        origin + path,
      ], {
        stdio: 'ignore',
      });
      undriven.push(child);
      return {
        close() {
          // The profile goes once Chromium has exited; its helper processes may
          // still be writing for a moment, and a leftover temp dir is harmless.
          child.once('exit', () => {
            try {
              rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
            } catch {
              // Left for the OS to clean.
            }
          });
          child.kill();
        },
      };
    },
    collected: (site) => log.filter((r) => site === undefined || r.site === site),
    query,
    async waitForRows<T>(sql: string, params: unknown[], done: (rows: T[]) => boolean, timeoutMs = 20_000) {
      const end = Date.now() + timeoutMs;
      let rows: T[] = [];
      for (;;) {
        rows = await query<T>(sql, params);
        if (done(rows)) return rows;
        if (Date.now() > end) {
          throw new Error(`rows did not arrive in ${timeoutMs} ms for\n  ${sql} ${JSON.stringify(params)}\nlast rows: ${JSON.stringify(rows)}`);
        }
        await sleep(250);
      }
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => {});
      for (const b of browsers.values()) await b.close().catch(() => {});
      for (const child of undriven) child.kill();
      await proxy.dispose().catch(() => {});
      await new Promise((resolve) => server.close(resolve));
      stopWorker();
      await sleep(300);
      if (process.env.HARNESS_DEBUG) console.log(`wrangler dev log:\n${workerLog}\npersisted at ${persist}`);
      else rmSync(persist, { recursive: true, force: true });
    },
  };
}
