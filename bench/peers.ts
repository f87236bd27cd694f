/**
 * The RUM agents people compare with, measured here the way our scripts are
 * measured (brotli quality 11 of what a browser downloads) and started the
 * way their docs start them, so `bench/sdk.ts` can time them in the same
 * pages. All three are devDependencies used only by the bench.
 *
 * - Datadog Browser RUM: its published CDN bundle (`bundle/datadog-rum.js`).
 * - Grafana Faro Web SDK: its published IIFE bundle.
 * - Boomerang: no prebuilt file is published to npm, so it is built as its
 *   Gruntfile builds a release: `boomerang.js` plus the plugins of a flavour
 *   from its `plugins.json`, debug blocks and log calls stripped, then
 *   minified (by terser here, uglify there). The flavour is
 *   `default-spa-errors` (navigation timing, paint and event timing, SPA,
 *   errors), the closest to what our core script measures.
 *
 * Their beacons go to the bench server's `/collect`, never off the machine.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { minify } from 'terser';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));
const version = (name: string) => (JSON.parse(readFileSync(join(packageDir(name), 'package.json'), 'utf8')) as { version: string }).version;

export interface Peer {
  name: string;
  /** What runs in the page: the agent, then (on a line of its own, after any trailing comment) its documented start call. */
  body: string;
  note: string;
}

/** Boomerang's release build of one flavour (see the module comment). */
async function boomerang(flavour: string): Promise<string> {
  const dir = packageDir('boomerangjs');
  const config = JSON.parse(readFileSync(join(dir, 'plugins.json'), 'utf8')) as { flavors: Record<string, { plugins: string[] }> };
  const read = (file: string) =>
    readFileSync(file.startsWith('node_modules/') ? require.resolve(file.slice('node_modules/'.length)) : join(dir, file), 'utf8');
  const strip = (source: string) =>
    source
      .replace(/\/\*\s*BEGIN_DEBUG\s*\*\/[\s\S]*?\/\*\s*END_DEBUG\s*\*\//g, '')
      .replace(/BOOMR\.(debug|info|warn|error)\(.*\);/g, '')
      .replace(/debugLog\(.*\);/g, '');
  const files = ['boomerang.js', ...config.flavors[flavour]!.plugins, 'plugins/zzz-last-plugin.js'];
  const { code } = await minify(files.map((file) => strip(read(file))).join('\n;'), { ecma: 2020, compress: { passes: 3 } });
  return code!;
}

export async function peers(): Promise<Peer[]> {
  const datadog = readFileSync(join(packageDir('@datadog/browser-rum'), 'bundle/datadog-rum.js'), 'utf8');
  const faro = readFileSync(join(packageDir('@grafana/faro-web-sdk'), 'dist/bundle/faro-web-sdk.iife.js'), 'utf8');
  return [
    {
      name: 'Boomerang',
      body: `${await boomerang('default-spa-errors')}\n;BOOMR.init({beacon_url:'/collect'})`,
      note: `boomerangjs ${version('boomerangjs')}, flavour default-spa-errors, release build`,
    },
    {
      name: 'Grafana Faro Web SDK',
      body: `${faro}\n;GrafanaFaroWebSdk.initializeFaro({url:'/collect',app:{name:'bench'}})`,
      note: `@grafana/faro-web-sdk ${version('@grafana/faro-web-sdk')}, published IIFE bundle`,
    },
    {
      name: 'Datadog Browser RUM',
      body: `${datadog}\n;DD_RUM.init({applicationId:'00000000-0000-0000-0000-000000000000',clientToken:'pub00000000000000000000000000000000',site:'datadoghq.com',proxy:'/collect',sessionSampleRate:100})`,
      note: `@datadog/browser-rum ${version('@datadog/browser-rum')}, published CDN bundle`,
    },
  ];
}
