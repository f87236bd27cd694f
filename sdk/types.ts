/**
 * Public types of the SDK: the options `init()` takes and the small API it
 * returns. The wire format itself is `BeaconInput` from the Worker's contract.
 *
 * @module
 * @example
 * ```ts
 * import { init, type Options } from 'edge-rum/sdk';
 * const options: Options = { site: 'shop', endpoint: '/rum/collect' };
 * const rum = init(options);
 * rum.track('signup');
 * ```
 */
import type { BeaconInput } from '../worker/schema/beacon.ts';

export type Consent = 'granted' | 'denied' | 'pending';

/** Everything `init()` accepts; every `data-` attribute of the script maps to one of these. */
export interface Options {
  /** Site key, 1-64 of `[a-z0-9._-]` (`data-site`). */
  site: string;
  /** Where beacons go (`data-endpoint`). Script: its own directory + `collect`; module: `/collect`. */
  endpoint?: string;
  /** Share of sessions measured, 0..1 (`data-sample-rate`, default 1). */
  sampleRate?: number;
  /** Initial consent (`data-consent`, default `granted`). `pending` buffers until `consent()` decides. */
  consent?: Consent;
  /** Release tag of the site, up to 64 characters (`data-release`). */
  release?: string;
  /** Query parameters kept in `pv.q`; a trailing `*` matches a prefix (`data-query`, default `utm_*`). */
  query?: string[] | string;
  /**
   * Route hook: gets the scrubbed path, returns the route to record, or
   * nothing for the collector's default (`normaliseRoute`, also exported).
   */
  route?: (path: string) => string | undefined | void;
  /** Treat `pushState`/`replaceState`/`popstate` as page views (`data-spa`, default true). */
  spa?: boolean;
  /** Add a W3C `traceparent` header to same-origin fetch and XHR (`data-trace`, default false). */
  trace?: boolean;
  /** Honour `navigator.globalPrivacyControl` (`data-gpc`, default true): no session linking. */
  gpc?: boolean;
}

/** What `init()` returns (and what the script exposes as `window.edgeRum`). */
export interface Rum {
  /** Decide consent: `granted` sends what was buffered, `denied` drops it and sends nothing ever. */
  consent(state: Consent): void;
  /** A custom event on the current page view, with an optional value. */
  track(name: string, value?: number): void;
  /** A user-timing mark (`performance.mark`), or with `start` a measure from that mark to now. */
  mark(name: string, start?: string): void;
  /** Send whatever is queued now (it is also sent when the page is hidden). */
  flush(): void;
}

export type Event = BeaconInput['e'][number];
export type Attribution = NonNullable<Extract<Event, { t: 'm' }>['a']>;
export type PageView = BeaconInput['pv'];
export type Context = NonNullable<BeaconInput['ctx']>;
