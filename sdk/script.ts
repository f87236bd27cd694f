/**
 * Configuration of the first-party script from its own tag's `data-`
 * attributes, then `window.edgeRum`: the running SDK's API when `data-site`
 * is set, otherwise `{ init }` for pages that configure it in code.
 * `data-x-y` is option `xY`; `"true"`, `""` (a bare attribute) and `"false"`
 * are booleans, everything else is passed as written (`init()` reads
 * `sampleRate` as a number and `query` as a comma-separated list).
 */
import type { Options, Rum } from './types.ts';

declare global {
  interface Window {
    edgeRum?: Rum | { init(options: Options): Rum };
  }
}

export const fromScript = (init: (options: Options) => Rum): void => {
  const script = document.currentScript as HTMLScriptElement;
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(script.dataset))
    options[key] = value == 'false' ? false : value == '' || value == 'true' || value;
  // The endpoint defaults to the script's own directory: /rum/rum.js posts
  // to /rum/collect (an inlined copy has no src: give it data-endpoint). An
  // empty `data-endpoint` (read as `true`) counts as absent.
  if (typeof options.endpoint != 'string') options.endpoint = script.src && new URL('collect', script.src) + '';
  window.edgeRum = options.site
    ? init(options as unknown as Options)
    : { init: (o) => (window.edgeRum = init({ ...(options as unknown as Options), ...o })) };
};
