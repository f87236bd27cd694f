/**
 * API answers computed from raw D1 rows: the route list and error groups.
 * They cover the same time as the digests do: every whole UTC hour whose
 * start lies in [from, to), so `to` is taken up to the end of its hour.
 */
import { HOUR } from '../digest/types.ts';

const hourEnd = (to: number) => Math.ceil(to / HOUR) * HOUR;

interface Range {
  site: string;
  from: number;
  to: number;
  route?: string | undefined;
}

export interface RouteRow {
  route: string;
  pageViews: number;
  samples: number;
}

export async function routeList(db: D1Database, q: Range): Promise<RouteRow[]> {
  const result = await db
    .prepare(
      `SELECT route, SUM(weight) AS pageViews, COUNT(*) AS samples FROM page_views
       WHERE site = ?1 AND ts >= ?2 AND ts < ?3 GROUP BY route ORDER BY pageViews DESC, route LIMIT 1000`,
    )
    .bind(q.site, q.from, hourEnd(q.to))
    .all<RouteRow>();
  return result.results;
}

export interface ErrorGroupRow {
  fingerprint: string;
  message: string;
  stack: string | null;
  route: string;
  count: number;
  pageViews: number;
  firstSeen: number;
  lastSeen: number;
}

export async function errorGroups(db: D1Database, q: Range & { limit: number }): Promise<ErrorGroupRow[]> {
  const routeFilter = q.route ? 'AND route = ?4' : '';
  const result = await db
    .prepare(
      `WITH scoped AS (SELECT * FROM errors WHERE site = ?1 AND ts >= ?2 AND ts < ?3 ${routeFilter}),
       groups AS (
         SELECT fingerprint, SUM(count * weight) AS count, COUNT(DISTINCT page_view_id) * AVG(weight) AS pageViews,
                MIN(ts) AS firstSeen, MAX(ts) AS lastSeen, MAX(id) AS latest
         FROM scoped GROUP BY fingerprint ORDER BY count DESC, lastSeen DESC LIMIT ?5)
       SELECT g.fingerprint, e.message, e.stack, e.route, g.count, g.pageViews, g.firstSeen, g.lastSeen
       FROM groups g JOIN errors e ON e.id = g.latest ORDER BY g.count DESC, g.lastSeen DESC`,
    )
    .bind(q.site, q.from, hourEnd(q.to), q.route ?? null, q.limit)
    .all<ErrorGroupRow>();
  return result.results;
}
