/**
 * Starts the Worker under `wrangler dev` for a benchmark: a free loopback
 * port, a temporary persistence directory with the migrations applied, its
 * own dev registry, and throwaway secrets. `stop()` removes everything.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LocalWorker {
  base: string;
  headers: Record<string, string>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startLocalWorker(vars: Record<string, string> = {}): Promise<LocalWorker> {
  const persist = mkdtempSync(join(tmpdir(), 'edge-rum-bench-'));
  const token = randomBytes(12).toString('hex');
  const env = { ...process.env, CI: '1', WRANGLER_REGISTRY_PATH: join(persist, 'registry') };
  spawnSync('wrangler', ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist], { env, stdio: 'ignore' });
  const port = await freePort();
  const flags = Object.entries({ API_TOKEN: token, SESSION_SECRET: token, ...vars }).flatMap(([k, v]) => ['--var', `${k}:${v}`]);
  const worker = spawn('wrangler', ['dev', '--port', String(port), '--ip', '127.0.0.1', '--persist-to', persist, ...flags], {
    env,
    stdio: process.env.BENCH_DEBUG ? 'inherit' : 'ignore',
  });
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    worker.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    rmSync(persist, { recursive: true, force: true });
  };
  const deadline = Date.now() + 120_000;
  while (!(await fetch(`${base}/`).then((r) => r.ok, () => false))) {
    if (Date.now() > deadline) {
      await stop();
      throw new Error('wrangler dev did not start');
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return { base, headers: { Authorization: `Bearer ${token}` }, stop };
}
