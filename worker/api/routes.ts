/**
 * The query API, `/api/v1/*`: flat rows in `{"data": [...]}` with times as
 * epoch ms, which Grafana's Infinity datasource reads as they are.
 *
 * Percentiles come from the t-digest objects (site-level when no route is
 * given); routes and errors come from raw D1 rows (kept `RAW_RETENTION_DAYS`).
 *
 * @example
 * ```sh
 * curl -H "Authorization: Bearer $API_TOKEN" \
 *   "https://example.com/rum/api/v1/percentiles?site=shop&metric=LCP&from=1763600000000&to=1763686400000&interval=1h&q=75"
 * ```
 */
import { Hono, type Context } from 'hono';
import type { z } from 'zod';
import { digestName } from '../digest/route-digest.ts';
import { METRIC_NAMES } from '../schema/beacon.ts';
import { rate, THRESHOLDS } from '../store/rating.ts';
import { demo } from '../demo/route.ts';
import { bearerAuth } from './auth.ts';
import { errorGroups, routeList } from './raw.ts';
import { BreakdownQuery, ErrorsQuery, PercentilesQuery, RangeQuery, reason } from './params.ts';

type Env_ = { Bindings: Env };
export const api = new Hono<Env_>();
api.use('*', bearerAuth);

function parse<S extends z.ZodType>(c: Context<Env_>, schema: S): z.output<S> | Response {
  const parsed = schema.safeParse(c.req.query());
  return parsed.success ? parsed.data : c.json({ error: reason(parsed.error) }, 400);
}

const digests = (c: Context<Env_>, site: string, route?: string) => c.env.ROUTE_DIGEST.getByName(digestName(site, route));
/** NaN (an empty digest) is not JSON; say null. */
const num = (value: number) => (Number.isFinite(value) ? value : null);

api.get('/routes', async (c) => {
  const query = parse(c, RangeQuery);
  if (query instanceof Response) return query;
  return c.json({ data: await routeList(c.env.DB, query) });
});

api.get('/percentiles', async (c) => {
  const query = parse(c, PercentilesQuery);
  if (query instanceof Response) return query;
  const rows = await digests(c, query.site, query.route).series({
    metric: query.metric,
    from: query.from,
    to: query.to,
    interval: query.interval,
    qs: query.q.map((q) => q.q),
    by: query.by ?? 'all',
  });
  const data = rows.map((row) => {
    const out: Record<string, string | number | null> = { time: row.time, group: row.group };
    query.q.forEach(({ column }, i) => (out[column] = num(row.values[i]!)));
    out.count = row.count;
    return out;
  });
  return c.json({ data });
});

api.get('/breakdown', async (c) => {
  const query = parse(c, BreakdownQuery);
  if (query instanceof Response) return query;
  const rows = await digests(c, query.site, query.route).groups({
    metric: query.metric,
    from: query.from,
    to: query.to,
    by: query.by,
    thresholds: THRESHOLDS[query.metric],
  });
  return c.json({ data: rows.map((r) => ({ ...r, p75: num(r.p75) })) });
});

api.get('/errors', async (c) => {
  const query = parse(c, ErrorsQuery);
  if (query instanceof Response) return query;
  return c.json({ data: await errorGroups(c.env.DB, query) });
});

api.get('/summary', async (c) => {
  const query = parse(c, RangeQuery);
  if (query instanceof Response) return query;
  const stub = digests(c, query.site, query.route);
  const data = await Promise.all(
    METRIC_NAMES.map(async (metric) => {
      const [row] = await stub.groups({ metric, from: query.from, to: query.to, by: 'all', thresholds: THRESHOLDS[metric] });
      if (!row) return { metric, p75: null, rating: null, count: 0, good: null, needsImprovement: null, poor: null };
      return { metric, p75: num(row.p75), rating: rate(metric, row.p75), count: row.count, good: row.good, needsImprovement: row.needsImprovement, poor: row.poor };
    }),
  );
  return c.json({ data });
});

api.route('/', demo);

api.notFound((c) => c.json({ error: 'no such API route' }, 404));
