/**
 * Makes sure a Chromium exists for the browser tests (run by `npm test`
 * before vitest): `CHROME_PATH` when set and present, else Debian's
 * `/usr/bin/chromium`, else installs Debian's `chromium` package with apt
 * (through sudo when not root). Playwright's own browser download is not
 * used: the tests drive whatever Chromium this finds with playwright-core.
 *
 * @example
 * ```sh
 * npx tsx scripts/ensure-browser.ts            # prints the browser path
 * CHROME_PATH=/opt/chrome/chrome npm test
 * ```
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

function fail(message: string): never {
  console.error(`ensure-browser: ${message}`);
  process.exit(1);
}

function run(command: string[]): boolean {
  const asRoot = process.getuid?.() === 0;
  const argv = asRoot ? command : ['sudo', '-n', ...command];
  const result = spawnSync(argv[0]!, argv.slice(1), { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return result.status === 0;
}

export function ensureBrowser(): string {
  const configured = process.env.CHROME_PATH;
  if (configured) {
    if (existsSync(configured)) return configured;
    fail(`CHROME_PATH is set to ${configured}, which does not exist.`);
  }
  if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  if (process.platform !== 'linux' || !existsSync('/usr/bin/apt-get')) {
    fail(`no browser at ${DEBIAN_CHROMIUM} and no apt-get to install one; set CHROME_PATH to a Chromium or Chrome binary.`);
  }
  console.log(`ensure-browser: ${DEBIAN_CHROMIUM} missing, installing Debian's chromium package...`);
  if (!run(['apt-get', 'update']) || !run(['apt-get', 'install', '-y', 'chromium']) || !existsSync(DEBIAN_CHROMIUM)) {
    fail(
      `could not install chromium with apt-get (are you root, or allowed to sudo without a password?). ` +
        `Install it yourself (apt-get install -y chromium) or set CHROME_PATH.`,
    );
  }
  return DEBIAN_CHROMIUM;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(`ensure-browser: using ${ensureBrowser()}`);
