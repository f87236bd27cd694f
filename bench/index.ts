/**
 * `npm run bench`: every benchmark in one run, printed as markdown. Each
 * table carries ratios against baselines measured in the same run, since
 * absolute timings on a shared 2-core machine are noisy.
 */
import { printApiRows, runApiBench } from './api.ts';
import { formatCollectBench, runCollectBench } from './collect.ts';
import { formatTdigestBench, runTdigestBench } from './tdigest.ts';

const only = process.argv.slice(2);
const wanted = (name: string) => only.length === 0 || only.includes(name);

console.log(`# Benchmarks (${new Date().toISOString()}, Node ${process.version})`);
if (wanted('tdigest')) {
  console.log('\n## t-digest vs npm tdigest vs DDSketch (1e6 values each, seeded)\n');
  console.log(formatTdigestBench(runTdigestBench()));
}
if (wanted('sdk')) {
  const sdk = await import('./sdk.ts').catch(() => null);
  if (sdk && 'runSdkBench' in sdk) {
    const result = await (sdk.runSdkBench as () => Promise<unknown>)();
    if ('formatSdkBench' in sdk) console.log((sdk.formatSdkBench as (r: unknown) => string)(result));
  }
}
if (wanted('api')) printApiRows(await runApiBench());
if (wanted('collect')) console.log(formatCollectBench(await runCollectBench()));
