/**
 * `npm start`: the whole product locally. Builds the SDK, creates local
 * secrets on first run, applies D1 migrations to the local database, then
 * runs `wrangler dev` (local D1, Queue, Durable Objects, Analytics Engine).
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { buildSdk } from './build-sdk.ts';

const port = Number(process.env.PORT ?? 8787);
// A registry of our own: wrangler's shared dev registry lets two local copies
// of the same Worker (say `npm start` and a test run) steal each other's queue messages.
process.env.WRANGLER_REGISTRY_PATH ??= '.wrangler/registry';
const wrangler = 'wrangler';

function run(args: string[]): void {
  const result = spawnSync(wrangler, args, { stdio: 'inherit', env: { ...process.env, CI: '1' } });
  if (result.status !== 0) {
    console.error(`wrangler ${args.join(' ')} failed`);
    process.exit(result.status ?? 1);
  }
}

function ensureDevVars(): string {
  if (!existsSync('.dev.vars')) {
    writeFileSync(
      '.dev.vars',
      `SESSION_SECRET=${randomBytes(32).toString('hex')}\nAPI_TOKEN=${randomBytes(16).toString('hex')}\n`,
      { mode: 0o600 },
    );
    console.log('Created .dev.vars with a random SESSION_SECRET and API_TOKEN.');
  }
  return readFileSync('.dev.vars', 'utf8').match(/^API_TOKEN=(.*)$/m)?.[1] ?? '';
}

await buildSdk();
const token = ensureDevVars();
run(['d1', 'migrations', 'apply', 'DB', '--local']);

const base = `http://localhost:${port}`;
console.log(`
  Edge RUM is starting (local D1, Queue, Durable Objects, Analytics Engine):
    Dashboard:  ${base}/dashboard?site=demo&range=30d#token=${token}
    Demo page:  ${base}/demo
    SDK script: ${base}/rum.js
    Collector:  ${base}/collect
    API token:  ${token}  (from .dev.vars)
`);
const dev = spawn(wrangler, ['dev', '--port', String(port), '--ip', '127.0.0.1', '--var', 'DEMO_DATA:1'], { stdio: 'inherit' });
dev.on('exit', (code) => process.exit(code ?? 0));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => dev.kill(signal));
if (!process.argv.includes('--no-demo-data')) await loadDemoData(base, token);

/**
 * On first start (no demo page views yet), loads 30 days of demo data so the
 * API and the dashboards have something to show. `--no-demo-data` skips it.
 */
async function loadDemoData(url: string, apiToken: string): Promise<void> {
  const headers = { Authorization: `Bearer ${apiToken}` };
  const DAY = 86_400_000;
  const deadline = Date.now() + 120_000;
  for (;;) {
    const ready = await fetch(`${url}/`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) return console.error('Worker did not start; demo data not loaded.');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const now = Date.now();
  const routes = await fetch(`${url}/api/v1/routes?site=demo&from=${now - 31 * DAY}&to=${now}`, { headers }).then((r) => r.json() as Promise<{ data: unknown[] }>);
  if (routes.data.length > 0) return;
  console.log('  Loading 30 days of demo data (site "demo")...');
  let beacons = 0;
  for (let day = Math.floor(now / DAY) * DAY - 29 * DAY; day <= now; day += DAY) {
    const response = await fetch(`${url}/api/v1/demo/load?site=demo&day=${day}`, { method: 'POST', headers });
    if (!response.ok) return console.error(`  Demo data load failed: ${response.status} ${await response.text()}`);
    beacons += ((await response.json()) as { data: { beacons: number }[] }).data[0]!.beacons;
  }
  console.log(`  Demo data loaded: ${beacons} page views over 30 days. Open the dashboard:
    ${url}/dashboard?site=demo&range=30d#token=${apiToken}
  or ask the API:
    curl -H "Authorization: Bearer ${apiToken}" "${url}/api/v1/summary?site=demo&from=${now - 30 * DAY}&to=${now}"
`);
}
