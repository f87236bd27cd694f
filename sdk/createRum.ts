/**
 * The SDK core, shared by the script and module builds with and without
 * attribution: page views (landing, SPA route, back/forward-cache restore),
 * session and sampling, consent, per-page-view event queues, batching and
 * flushing. Metrics come from web-vitals, passed in by the entry point so the
 * attribution build can pass its own.
 *
 * @example
 * ```ts
 * import { onCLS, onFCP, onINP, onLCP, onTTFB } from 'web-vitals';
 * const rum = createRum({ site: 'shop' }, [onCLS, onINP, onLCP, onFCP, onTTFB]);
 * ```
 */
import type { MetricType, ReportOpts } from 'web-vitals';
import { ms } from './lib/clamp.ts';
import { context } from './lib/context.ts';
import { onErrors, type ErrorEvent } from './lib/errors.ts';
import { onHistory } from './lib/history.ts';
import { hex } from './lib/ids.ts';
import { navTiming } from './lib/navTiming.ts';
import { isSampled } from './lib/sampling.ts';
import { keptQuery, scrubPath } from './lib/scrub.ts';
import { sessionId } from './lib/session.ts';
import { split } from './lib/split.ts';
import { onTrace } from './lib/trace.ts';
import { transport } from './lib/transport.ts';
import type { Attribution, Consent, Context, Event, Options, PageView, Rum } from './types.ts';

/** A web-vitals `onX` function; `createRum` takes them in the order CLS, INP, LCP, FCP, TTFB. */
export type OnMetric = (report: (metric: MetricType) => void, opts?: ReportOpts) => void;
export type Attribute = (metric: MetricType) => Attribution | undefined;

// Navigation types are written out rather than hoisted into constants: web-vitals
// has the same strings, so brotli sends each repeat as a short back-reference,
// fewer bytes than a minified variable (measured with `npx tsx bench/sdk.ts`).

/**
 * A page view and its queue; `_` fields stay in the browser (and are
 * mangled). The page view record (scrubbed path, route, kept query, ids),
 * context and session id are made when the view is first sent, not at load:
 * the first runs of the URL regexes and of `crypto`, `navigator.connection`
 * and the first `sessionStorage` access cost about a millisecond that page
 * load should not pay, and a view that is never sent never pays it. The URL
 * itself is read when the view starts.
 */
interface View {
  _pv?: PageView;
  _nav: PageView['nav'];
  _ctx?: Context;
  _sid?: string;
  /** Trace id (with `trace` on), needed by requests before the view is sent. */
  _trace?: string;
  /** Raw query string. */
  _search: string;
  /** Raw pathname, to match soft-navigation metrics and notice route changes. */
  _path: string;
  /** performance.now() when the view started. */
  _start: number;
  /** Document CLS when the view started (heuristic per-route CLS). */
  _cls: number;
  _queue: Event[];
  _errors: Map<string, ErrorEvent>;
  /** The soft navigation (web-vitals `navigationId`) whose metrics this view holds. */
  _nid?: number;
  /** Metrics this view has sent: a later value goes out marked `u` (an update). */
  _sent: Record<string, 1>;
}

let rum: Rum | undefined;

export const createRum = (o: Options, vitals: OnMetric[], attribute?: Attribute): Rum => {
  if (rum) return rum;
  const rate = Math.min(1, +(o.sampleRate ?? 1) || 0);
  const allow = String(o.query ?? 'utm_*').split(',');
  const gpc = o.gpc != false && (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl;
  const spa = o.spa != false;
  const send = transport(o.endpoint || '/collect');
  // Soft navigations are reported by web-vitals only where this holds: the
  // same test as its src/lib/softNavs.ts, which ignores older builds that
  // expose the value as an attribute rather than a method (an `in` test
  // would take those for support). Elsewhere per-route CLS and INP use the
  // heuristic described in sdk/README.md ("SPA").
  const heuristic =
    spa &&
    !(
      PerformanceObserver.supportedEntryTypes?.includes('soft-navigation') &&
      typeof (globalThis as { PerformanceSoftNavigation?: { prototype?: { getLargestInteractionContentfulPaint?: unknown } } })
        .PerformanceSoftNavigation?.prototype?.getLargestInteractionContentfulPaint == 'function'
    );
  let consent: Consent = o.consent || 'granted';
  let documentCls = 0;
  const views: View[] = [];
  const last = () => views.at(-1)!;

  // The route is the hook's answer when it gives one; otherwise the collector
  // normalises the path, so the rule is not shipped to every browser.
  const record = (v: View, path = scrubPath(v._path).slice(0, 512)): PageView => ({
    id: hex(16),
    path,
    route: o.route?.(path)?.slice(0, 256),
    nav: v._nav,
    trace: v._trace,
    start: Math.round(performance.timeOrigin + v._start),
    q: keptQuery(v._search, allow).slice(0, 256) || undefined,
  });

  const flush = () => {
    if (consent == 'granted')
      for (const v of views) {
        // Stored only now that consent is granted; with Global Privacy
        // Control every view gets an unlinked id that is never stored.
        v._sid ||= gpc ? hex(16) : sessionId();
        const head = () =>
          JSON.stringify({ v: 1, site: o.site, sid: v._sid, bid: hex(16), sr: rate, pv: (v._pv ||= record(v)), ctx: (v._ctx ||= context(o.release)) }).slice(0, -1);
        // Sampling is decided on the session: a view outside the sample sends nothing.
        if (isSampled(v._sid, rate)) for (const body of split(v._queue, head)) send(body);
        for (const e of v._queue) if (e.t == 'm') v._sent[e.n] = 1;
        v._queue = [];
      }
  };

  const push = (v: View, event: Event) => {
    // While consent is pending nothing is sent, so a view's buffer is capped
    // (1,000 events); once granted, it flushes every 100 and never gets near.
    if (consent != 'denied' && v._queue.length < 1e3) {
      // One pending value per metric and view: a newer report replaces it.
      // web-vitals reports CLS and INP again when they grew after the page
      // was hidden: such a value is an update of the one sent (`u`), which
      // the collector stores in place of it instead of counting it again.
      if (event.t == 'm') {
        v._queue = v._queue.filter((e) => (e as { n?: string }).n != event.n);
        if (v._sent[event.n]) event.u = 1;
      }
      if (v._queue.push(event) > 99) flush();
    }
  };

  const view = (nav: PageView['nav'], start = performance.now(), path = location.pathname, search = location.search): View => {
    const v: View = {
      _nav: nav,
      _path: path,
      _search: search,
      _trace: o.trace ? hex(16) : undefined,
      _start: start,
      _cls: documentCls,
      _queue: [],
      _errors: new Map(),
      _sent: {},
    };
    // A route hook is the site's code, free to read more than the path: it
    // runs while the view is current, as it always has.
    if (o.route) v._pv = record(v);
    views.push(v);
    return v;
  };

  const onMetric = (m: MetricType) => {
    const type = m.navigationType;
    let value = m.value;
    // The view a metric belongs to: the latest back/forward-cache restore, or
    // the landing view. Heuristic per-route INP: the view current when the
    // interaction started.
    let v = views[0]!;
    for (const w of views)
      if (type == 'back-forward-cache' ? w._nav == type : heuristic && m.name == 'INP' && w._start <= (m.entries[0]?.startTime as number))
        v = w;
    // A soft navigation's metrics: the view that already holds its id, else
    // the latest unclaimed view the history hook started for its path, else
    // a view of its own. The browser also reports soft navigations that
    // change only the query (a filter pushed as `?q=shoes`), which start no
    // view in the hook; matched by path, their metrics would replace the
    // current view's.
    if (type == 'soft-navigation') {
      const url = new URL(m.navigationURL!);
      v =
        views.find((w) => w._nid == m.navigationId) ||
        views.findLast((w) => !w._nid && w._nav == type && w._path == url.pathname) ||
        view(type, m.navigationStartTime, url.pathname, url.search);
      v._nid = m.navigationId;
    }
    // Heuristic per-route CLS: how much the document's CLS grew while the
    // current view was current.
    if (heuristic && type != 'soft-navigation' && m.name == 'CLS') {
      documentCls = value;
      v = last();
      value -= v._cls;
    }
    push(v, {
      t: 'm',
      n: m.name,
      v: m.name == 'CLS' ? Math.round(value * 1e4) / 1e4 : ms(value),
      r: value == m.value ? m.rating : undefined,
      a: attribute?.(m),
    });
  };

  const event = (name: string, value?: number, duration?: number, at = performance.now()) => {
    const v = last();
    if (name && v)
      push(v, { t: 'ev', name: name.slice(0, 64), v: value, d: duration, s: ms(at - v._start) });
  };

  const start = () => {
    const entry = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    const activation = entry?.activationStart;
    const landing = view(
      activation! > 0
        ? 'prerender'
        : (document as { wasDiscarded?: boolean }).wasDiscarded
          ? 'restore'
          : (entry?.type.replace('_', '-') as PageView['nav']),
      activation || 0,
    );
    const timing = () => setTimeout(() => push(landing, navTiming(entry as Parameters<typeof navTiming>[0])));
    if (entry) document.readyState == 'complete' ? timing() : addEventListener('load', timing);
    // A restore's page view exists before web-vitals reports for it: it
    // reports TTFB synchronously in its own capture-phase `pageshow`
    // listener, and listeners on one target run in the order they were added.
    addEventListener(
      'pageshow',
      (e) => {
        if (e.persisted) {
          documentCls = 0;
          view('back-forward-cache', e.timeStamp);
        }
      },
      true,
    );
    vitals.forEach((on, i) => on(onMetric, { reportSoftNavs: spa, reportAllChanges: heuristic && i < 2 } as ReportOpts));
    onErrors((e) => {
      const v = last();
      const key = e.k + e.msg + e.src + e.line + e.col;
      const seen = v._errors.get(key);
      // A repeat raises the count of the queued event; once that was sent,
      // the event is queued again counting from 1, so the collector's sum
      // of counts is every occurrence.
      if (seen) v._queue.includes(seen) ? (seen.c = Math.min(+seen.c! + 1, 1e4)) : push(v, ((seen.c = 1), seen));
      // At most 20 distinct errors per page view; repeats only raise the count.
      else if (v._errors.size < 20) push(v, v._errors.set(key, e) && e);
    });
    if (spa)
      onHistory(() => {
        if (location.pathname != last()._path) {
          const v = view('soft-navigation');
          // Heuristic: a route without layout shifts has CLS 0.
          if (heuristic) push(v, { t: 'm', n: 'CLS', v: 0 });
        }
      });
    if (o.trace) onTrace(() => last()._trace);
    // Bubble-phase listeners on window run after web-vitals' capture-phase
    // ones, so the metrics it reports on hiding are queued before the flush.
    addEventListener('visibilitychange', () => document.visibilityState == 'hidden' && flush());
    addEventListener('pagehide', flush);
  };

  // Prerendered pages are measured from activation, as web-vitals does.
  // `prerenderingchange` is fired at the document and does not bubble, so a
  // bubble-phase listener on window never hears it: listen on the document
  // (https://wicg.github.io/nav-speculation/prerendering.html#prerendering-browsing-context-activate).
  if ((document as { prerendering?: boolean }).prerendering) document.addEventListener('prerenderingchange', start, true);
  else start();

  return (rum = {
    consent(state) {
      consent = state;
      if (state == 'denied') for (const v of views) v._queue = [];
      flush();
    },
    track: (name, value) => event(name, Number.isFinite(value) ? Math.min(Math.max(value!, -1e12), 1e12) : undefined),
    mark(name, from) {
      const entry = from ? performance.measure(name, from) : performance.mark(name);
      event(name, undefined, from ? ms(entry.duration) : undefined, entry.startTime);
    },
    flush,
  });
};
