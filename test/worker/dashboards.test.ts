/**
 * Every Infinity query of the committed dashboards, run against the Worker:
 * variables and Infinity's macros are substituted as Grafana and the plugin
 * would, the request carries the bearer token as the datasource would, and
 * each column a panel names must be present in the rows that come back.
 */
import { createExecutionContext, createMessageBatch, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import analyticsEngine from '../../dashboards/rum-analytics-engine.json';
import overview from '../../dashboards/rum-overview.json';
import regions from '../../dashboards/rum-regions.json';
import worker from '../../worker/index.ts';
import type { EnrichedBeacon } from '../../worker/schema/enriched.ts';
import { CHROME_UA, IPHONE_UA, makeBeacon } from '../helpers/beacon.ts';
import { recordingEnv } from './recording-env.ts';

type Json = Record<string, any>;
const INFINITY = 'yesoreyeram-infinity-datasource';
const DASHBOARDS = { 'rum-overview': overview, 'rum-regions': regions, 'rum-analytics-engine': analyticsEngine } as Record<string, Json>;
const ROUTES = ['/products/:id', '/checkout'];
const HOUR = 3_600_000;

// --------------------------------------------------------------------------- substitution

/** Grafana's template interpolation of `${name}` / `${name:format}`; Infinity's own macros are left alone. */
function interpolate(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{(\w+)(?::[^}]*)?\}/g, (match, name: string) => {
    if (name === '__timeFrom' || name === '__timeTo') return match; // interpolated by Infinity's backend
    const value = vars[name];
    if (value === undefined) throw new Error(`no value for variable ${name} in ${text}`);
    return value;
  });
}

/** Infinity's backend macros (pkg/models/macros.go): time range and `$__combineValues`. */
function infinityMacros(text: string, range: { from: number; to: number }): string {
  const escapes = (s: string) => s.replaceAll('__comma', ',').replaceAll('__space', ' ').replaceAll('__open', '(').replaceAll('__close', ')');
  return text
    .replace(/\$__combineValues\((.*?)\)/g, (_m, inner: string) => {
      const args = inner.split(',');
      if (args.length <= 3) throw new Error(`combineValues needs 4+ arguments: ${inner}`);
      if (args.length === 4 && args[3] === '*') return '';
      const [prefix, suffix, separator] = args.slice(0, 3).map(escapes) as [string, string, string];
      return args
        .slice(3)
        .map((value) => `${prefix}${value}${suffix}`)
        .join(separator);
    })
    .replaceAll('${__timeFrom}', String(range.from))
    .replaceAll('${__timeTo}', String(range.to))
    .trim();
}

/** The request Infinity sends: datasource URL + query URL, then the query's parameters. */
function requestFor(query: Json, vars: Record<string, string>, range: { from: number; to: number }): URL {
  const url = new URL(`https://rum.example${infinityMacros(interpolate(query.url, vars), range)}`);
  for (const { key, value } of (query.url_options?.params ?? []) as { key: string; value: string }[]) {
    url.searchParams.append(key, infinityMacros(interpolate(value, vars), range));
  }
  expect(url.href).not.toMatch(/\$|%24|%7B|%7D/i); // nothing left uninterpolated
  return url;
}

// --------------------------------------------------------------------------- the dashboards' queries

interface Query {
  dashboard: string;
  where: string;
  query: Json;
}

function infinityQueries(name: string, dashboard: Json): Query[] {
  const panels = (dashboard.panels as Json[]).flatMap((p) => [p, ...((p.panels as Json[] | undefined) ?? [])]);
  const fromPanels = panels.flatMap((p) =>
    ((p.targets as Json[] | undefined) ?? [])
      .filter((t) => t.datasource?.type === INFINITY)
      .map((query) => ({ dashboard: name, where: `panel ${p.id} "${p.title}" ${query.refId}`, query })),
  );
  const fromVariables = (dashboard.templating.list as Json[])
    .filter((v) => v.type === 'query' && v.datasource?.type === INFINITY)
    .map((v) => ({ dashboard: name, where: `variable ${v.name}`, query: v.query.infinityQuery as Json }));
  return [...fromPanels, ...fromVariables];
}

/** Every combination of the values the dashboard's variables can take that a query uses. */
function variableSets(dashboard: Json, query: Json): Record<string, string>[] {
  const list = dashboard.templating.list as Json[];
  const text = JSON.stringify(query);
  const site = list.find((v) => v.name === 'site')!.query as string;
  let sets: Record<string, string>[] = [{ site, __interval_ms: String(HOUR) }];
  const expand = (name: string, values: string[]) => {
    if (!text.includes(`\${${name}`)) return;
    sets = sets.flatMap((set) => values.map((value) => ({ ...set, [name]: value })));
  };
  const route = list.find((v) => v.name === 'route');
  if (route) expand('route', [route.allValue as string, ...ROUTES]);
  const metric = list.find((v) => v.name === 'metric');
  if (metric) expand('metric', (metric.options as Json[]).map((o) => o.value as string));
  // Grafana's interval can be under an hour on short ranges; the API rounds it up.
  expand('__interval_ms', [String(HOUR), '60000', String(6 * HOUR)]);
  return sets;
}

const queries = Object.entries(DASHBOARDS).flatMap(([name, dashboard]) => infinityQueries(name, dashboard));

// --------------------------------------------------------------------------- data

const SITE = (overview.templating.list as Json[]).find((v) => v.name === 'site')!.query as string;
let range: { from: number; to: number };

async function call(url: URL, token = env.API_TOKEN): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(url, { headers: { Authorization: `Bearer ${token}` } }), env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** Beacons from two countries on two continents, desktop and mobile, two routes, all metrics and an error. */
async function seed(): Promise<void> {
  const { env: recording, recorded } = recordingEnv(env);
  const visitors = [
    { country: 'DE', ua: CHROME_UA },
    { country: 'US', ua: IPHONE_UA },
    { country: 'JP', ua: CHROME_UA },
  ];
  let n = 0;
  for (const route of ROUTES) {
    for (const { country, ua } of visitors) {
      n += 1;
      const beacon = makeBeacon({
        site: SITE,
        e: [
          { t: 'm', n: 'LCP', v: 1200 + 300 * n },
          { t: 'm', n: 'INP', v: 80 + 40 * n },
          { t: 'm', n: 'CLS', v: 0.02 * n },
          { t: 'm', n: 'FCP', v: 900 + 200 * n },
          { t: 'm', n: 'TTFB', v: 150 + 90 * n },
          { t: 'err', k: 'error', msg: `TypeError: x is undefined (${route})`, stack: 'at f (app.js:1:2)' },
        ],
      });
      beacon.pv = { ...beacon.pv, path: route.replace(':id', '42'), route };
      const ctx = createExecutionContext();
      const response = await worker.fetch(
        new Request('https://rum.example/collect', {
          method: 'POST',
          body: JSON.stringify(beacon),
          headers: { 'Content-Type': 'text/plain;charset=UTF-8', 'User-Agent': ua, 'CF-IPCountry': country },
        }),
        recording,
        ctx,
      );
      await waitOnExecutionContext(ctx);
      expect(response.status).toBe(202);
    }
  }
  const batch = createMessageBatch<EnrichedBeacon>(
    'edge-rum-beacons',
    recorded.messages.map((body, i) => ({ id: `seed${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, recording, ctx);
  await waitOnExecutionContext(ctx);
}

beforeAll(async () => {
  const now = Date.now();
  range = { from: now - 6 * HOUR, to: now + HOUR };
  await seed();
});

// --------------------------------------------------------------------------- tests

it('finds Infinity queries in the Infinity dashboards, none in the Analytics Engine one', () => {
  const count = (name: string) => queries.filter((q) => q.dashboard === name).length;
  expect(count('rum-overview')).toBeGreaterThanOrEqual(9);
  expect(count('rum-regions')).toBeGreaterThanOrEqual(6);
  expect(count('rum-analytics-engine')).toBe(0);
});

describe.each(queries)('$dashboard $where', ({ dashboard, query }) => {
  it('answers 200 with rows holding every column the panel names', async () => {
    for (const vars of variableSets(DASHBOARDS[dashboard]!, query)) {
      const url = requestFor(query, vars, range);
      const label = `${url.pathname}${url.search}`;
      const response = await call(url);
      const body = await response.text();
      expect(response.status, `${label}: ${body.slice(0, 300)}`).toBe(200);
      const rows = (JSON.parse(body) as Json)[query.root_selector as string] as Json[];
      expect(Array.isArray(rows), label).toBe(true);
      expect(rows.length, `${label}: no rows`).toBeGreaterThan(0);
      for (const row of rows) {
        for (const column of query.columns as Json[]) {
          expect(row, `${label}: column ${column.selector}`).toHaveProperty(column.selector);
          const value = row[column.selector];
          if (value === null) continue;
          if (column.type === 'number') expect(value, `${label}: ${column.selector}`).toBeTypeOf('number');
          if (column.type === 'string') expect(value, `${label}: ${column.selector}`).toBeTypeOf('string');
          if (column.type === 'timestamp_epoch') {
            // Epoch milliseconds, not seconds: inside (or an interval before) the range.
            expect(value, `${label}: ${column.selector}`).toBeGreaterThanOrEqual(range.from - 24 * HOUR);
            expect(value, `${label}: ${column.selector}`).toBeLessThanOrEqual(range.to);
          }
        }
      }
      if ('count' in rows[0]!) {
        // Rows for an empty digest (a mistyped route, say) still come back; counts tell.
        expect(rows.some((r) => r.count > 0), `${label}: every count is 0`).toBe(true);
      }
      if (query.format === 'timeseries') {
        // Infinity turns long frames (time, group, value) into series with LongToWide, which wants time order.
        const times = rows.map((r) => r.time as number);
        expect(times, label).toEqual([...times].sort((a, b) => a - b));
      }
    }
  });
});

it('treats the All route (an empty route parameter) as the whole site', async () => {
  const summary = queries.find((q) => q.dashboard === 'rum-overview' && q.query.url.startsWith('/api/v1/summary'))!;
  const all = requestFor(summary.query, { site: SITE, route: '*' }, range);
  expect(all.searchParams.get('route')).toBe('');
  const without = new URL(all);
  without.searchParams.delete('route');
  const [a, b] = await Promise.all([call(all).then((r) => r.json()), call(without).then((r) => r.json())]);
  expect(a).toEqual(b);
  const oneRoute = await call(requestFor(summary.query, { site: SITE, route: ROUTES[0]! }, range)).then((r) => r.json() as Promise<Json>);
  expect(oneRoute.data).not.toEqual((a as Json).data);
});

it('offers the seeded routes in the route variable', async () => {
  const variable = queries.find((q) => q.dashboard === 'rum-overview' && q.where === 'variable route')!;
  const rows = (await call(requestFor(variable.query, { site: SITE }, range)).then((r) => r.json())) as Json;
  expect((rows.data as Json[]).map((r) => r.route).sort()).toEqual([...ROUTES].sort());
});

it('needs the bearer token the datasource is configured with', async () => {
  const [first] = queries;
  const response = await call(requestFor(first!.query, variableSets(DASHBOARDS[first!.dashboard]!, first!.query)[0]!, range), 'wrong');
  expect(response.status).toBe(401);
});
