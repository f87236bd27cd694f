/**
 * The wire contract between the browser SDK and the collector, version 1.
 *
 * This zod schema is the only definition of the beacon format. The Worker
 * validates every request body with it; the SDK takes its inferred type with
 * `import type`, so zod never ships to browsers. Every string, array and number
 * is bounded, and unknown keys are stripped (zod's default for objects), so
 * nothing a client invents is ever stored.
 *
 * @module
 * @example
 * ```ts
 * import { Beacon } from './schema/beacon.ts';
 * const parsed = Beacon.safeParse(JSON.parse(body));
 * if (!parsed.success) return c.text(describeIssues(parsed.error), 400);
 * ```
 */
import * as z from 'zod';
import { normaliseRoute } from '../../sdk/lib/route.ts';
import { scrubText, scrubUrl } from '../../sdk/lib/scrub.ts';
import { deviceTier } from './device-tier.ts';

/** Most events one beacon may carry; the SDK splits larger batches. */
export const MAX_EVENTS = 100;
/** Largest CLS accepted (a unitless sum of shift scores; real pages stay far below). */
export const MAX_CLS = 100;
/** Longest error stack kept, in characters. */
export const MAX_STACK = 4_000;

const id = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'expected 8-64 characters of [A-Za-z0-9_-]');
const text = (max: number) => z.string().max(max);
const ms = z.number().finite().min(0).max(3_600_000);
const int = (min: number, max: number) => z.number().int().min(min).max(max);
/**
 * The SDK's privacy rules, applied again whatever the client: a URL or path
 * loses its query string and fragment and has e-mails and long numbers
 * masked; free text (error messages, stacks) is scrubbed the same way.
 */
const urlPath = (max: number) => text(max).transform(scrubUrl);
const freeText = (max: number) => text(max).transform(scrubText);

export const METRIC_NAMES = ['LCP', 'INP', 'CLS', 'FCP', 'TTFB'] as const;
export const MetricName = z.enum(METRIC_NAMES);
export type MetricName = z.infer<typeof MetricName>;

export const NavigationType = z.enum([
  'navigate',
  'reload',
  'back-forward',
  'back-forward-cache',
  'prerender',
  'restore',
  'soft-navigation',
]);

/**
 * Attribution is a closed, bounded object: a selector, a few timings, a URL.
 * Never free-form, so it cannot carry arbitrary user data.
 */
export const Attribution = z.object({
  /** CSS-like selector of the element (LCP element, INP target, CLS source). */
  el: text(200).optional(),
  /** URL of the resource involved (LCP image, long script). Path only. */
  url: urlPath(300).optional(),
  /** Event type for INP (`pointer`, `keyboard`). */
  ev: text(32).optional(),
  /** LCP subparts / INP phases, milliseconds. */
  ttfb: ms.optional(),
  rld: ms.optional(),
  rlt: ms.optional(),
  erd: ms.optional(),
  ind: ms.optional(),
  prc: ms.optional(),
  prs: ms.optional(),
  /** Longest script of the interaction (Long Animation Frames), path and duration. */
  ls: urlPath(300).optional(),
  lsd: ms.optional(),
  /** Load state when the metric was reached. */
  ld: text(32).optional(),
});
export type Attribution = z.infer<typeof Attribution>;

export const MetricEvent = z.object({
  t: z.literal('m'),
  /** Metric name. */
  n: MetricName,
  /** Value: milliseconds, or unitless for CLS. */
  v: z.number().finite().min(0).max(3_600_000),
  /** Rating the browser computed (informational; the Worker re-rates). */
  r: z.enum(['good', 'needs-improvement', 'poor']).optional(),
  /** Attribution, only from the attribution build. */
  a: Attribution.optional(),
  /**
   * `1` when this page view already sent a value of this metric: web-vitals
   * reports CLS and INP again when they grew after the page was hidden. The
   * raw row takes the newer value; digests and Analytics Engine keep the
   * first, so each page view counts once in every percentile.
   */
  u: z.literal(1).optional(),
}).refine((e) => e.n !== 'CLS' || e.v <= MAX_CLS, { message: `CLS is at most ${MAX_CLS}`, path: ['v'] });

/** Navigation timing breakdown, all in milliseconds from navigation start. */
export const NavEvent = z.object({
  t: z.literal('nav'),
  redirect: ms.optional(),
  dns: ms.optional(),
  tcp: ms.optional(),
  tls: ms.optional(),
  ttfb: ms.optional(),
  download: ms.optional(),
  domInteractive: ms.optional(),
  domContentLoaded: ms.optional(),
  load: ms.optional(),
  /** Bytes transferred for the document (0 from cache). */
  transfer: int(0, 1_000_000_000).optional(),
});

export const ErrorEvent = z.object({
  t: z.literal('err'),
  /** `error` (window.onerror) or `rejection` (unhandledrejection). */
  k: z.enum(['error', 'rejection']),
  msg: freeText(500),
  stack: freeText(MAX_STACK).optional(),
  src: urlPath(300).optional(),
  line: int(0, 10_000_000).optional(),
  col: int(0, 10_000_000).optional(),
  /** How many times this same error occurred in the page view. */
  c: int(1, 10_000).default(1),
});

export const CustomEvent = z.object({
  t: z.literal('ev'),
  name: text(64).min(1),
  v: z.number().finite().min(-1e12).max(1e12).optional(),
  /** Duration for user-timing measures, milliseconds. */
  d: ms.optional(),
  /** Start time relative to the page view, milliseconds. */
  s: ms.optional(),
});

export const Event = z.discriminatedUnion('t', [MetricEvent, NavEvent, ErrorEvent, CustomEvent]);
export type Event = z.infer<typeof Event>;

/**
 * Device and network context, all optional because browsers differ. The SDK
 * sends `deviceMemory` and `hardwareConcurrency` as they are (`mem`, `cores`);
 * the collector maps them to `tier`, so the rule lives in one place and the
 * script stays small. A `tier` sent as such is kept.
 */
export const Context = z
  .object({
    /** Effective connection type. */
    ect: z.enum(['slow-2g', '2g', '3g', '4g']).optional(),
    rtt: int(0, 60_000).optional(),
    /** Downlink, Mbit/s. */
    dl: z.number().finite().min(0).max(10_000).optional(),
    save: z.boolean().optional(),
    /** `navigator.deviceMemory`, GB (the browser rounds it: 0.25 to 8). */
    mem: z.number().finite().min(0).max(1_024).optional(),
    /** `navigator.hardwareConcurrency`. */
    cores: int(0, 65_536).optional(),
    /** Device tier; computed from `mem` and `cores` when absent. */
    tier: z.enum(['low', 'mid', 'high']).optional(),
    vw: int(0, 100_000).optional(),
    vh: int(0, 100_000).optional(),
    /** Device pixel ratio, browser zoom included (500% zoom on a 350% screen is 17.5). */
    dpr: z.number().finite().min(0).max(100).optional(),
    /** Release tag of the site. */
    rel: text(64).optional(),
  })
  .transform(({ mem, cores, ...ctx }): typeof ctx => ({ ...ctx, tier: ctx.tier ?? deviceTier(mem, cores) }));

export const PageView = z.object({
  /** Page view id, random per view. */
  id,
  /** Path only: query and fragment removed and e-mails and long numbers masked, by the SDK and again here. */
  path: text(512).regex(/^\//, 'must start with /').transform(scrubUrl),
  /**
   * Route (`/product/:id`): the site's route hook's answer when it gave one
   * (a missing leading `/` is added), otherwise the collector normalises the
   * path (`normaliseRoute`), so the rule lives in one place.
   */
  route: urlPath(256).optional(),
  /** Allow-listed query parameters kept by the SDK (`utm_source=mail`), without `?`; the collector applies its own allow-list too. */
  q: text(256).optional(),
  nav: NavigationType.optional(),
  /** W3C trace id when tracing is enabled. */
  trace: z.string().regex(/^[0-9a-f]{32}$/).optional(),
  /** Page view start in epoch ms (client clock; informational). */
  start: z.number().finite().min(0).max(1e14).optional(),
}).transform((pv) => ({ ...pv, route: (pv.route ? '/' + pv.route.replace(/^\/+/, '') : normaliseRoute(pv.path)).slice(0, 256) }));

/** One request body sent to `POST /collect`. */
export const Beacon = z.object({
  v: z.literal(1),
  /** Site key, chosen by the site owner (`data-site`). */
  site: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'expected 1-64 of [a-z0-9._-]'),
  /** Session id, random; replaced by an HMAC before anything is stored. */
  sid: id,
  /** Beacon id, random per request; a redelivered beacon is stored once. */
  bid: id,
  /** Sample rate the SDK applied, so the Worker can check it. */
  sr: z.number().finite().min(0).max(1).optional(),
  pv: PageView,
  ctx: Context.optional(),
  e: z.array(Event).min(1).max(MAX_EVENTS),
});
export type Beacon = z.infer<typeof Beacon>;
/** What the SDK builds (before zod applies defaults). */
export type BeaconInput = z.input<typeof Beacon>;

/** A readable, single-line reason for a failed parse: `e.3.v: Too big: expected number to be <=3600000`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}
