/**
 * Size budget of the first-party scripts: each is built in-process with the
 * same esbuild options as `npm run build` and compressed with brotli at
 * quality 11 (what Cloudflare serves to browsers that accept `br`).
 */
import { brotliCompressSync, constants } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildScript, SCRIPT_ENTRIES } from '../../scripts/build-sdk.ts';

/** Brotli bytes allowed per script, web-vitals included. */
export const BUDGETS: Record<string, number> = {
  'rum.js': 4_000,
  'rum.attribution.js': 6_500,
};

export const brotliSize = (text: string): number =>
  brotliCompressSync(text, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;

describe('SDK size', () => {
  it('has a budget for every script the Worker serves', () => {
    expect(Object.keys(SCRIPT_ENTRIES).sort()).toEqual(Object.keys(BUDGETS).sort());
  });

  it.each(Object.entries(SCRIPT_ENTRIES))('%s stays within its brotli budget', async (name, entry) => {
    const size = brotliSize(await buildScript(entry));
    console.log(`${name}: ${size} bytes brotli (budget ${BUDGETS[name]})`);
    expect(size).toBeLessThanOrEqual(BUDGETS[name]!);
  });
});
