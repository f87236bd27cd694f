/**
 * `POST /collect`: the beacon endpoint.
 *
 * Order matters: cheap refusals first (origin, encoding, media type, size),
 * then parse and validate, then drop bots, then anonymise and enrich, then
 * write. A rejected request stores nothing, and no client input reaches a
 * code path that can answer 5xx.
 *
 * @example
 * ```ts
 * app.route('/', collect);
 * // navigator.sendBeacon('/collect', JSON.stringify(beacon)) -> 202
 * ```
 */
import { Hono } from 'hono';
import { isbot } from 'isbot';
import { keptQuery } from '../../sdk/lib/scrub.ts';
import { Beacon, describeIssues } from '../schema/beacon.ts';
import type { EnrichedBeacon } from '../schema/enriched.ts';
import { dropPoint, metricPoints, writePoints } from '../store/analytics.ts';
import { acceptedMediaType, identityEncoding, MAX_BODY_BYTES, readCapped } from './body.ts';
import { parseList } from './config.ts';
import { agentOf, geoOf } from './enrich.ts';
import { truncateIp } from './ip.ts';
import { corsHeaders, originAllowed, parseAllowedOrigins } from './origin.ts';
import { applySampling, parseRate } from './sample.ts';
import { pseudonymiseSession } from './session.ts';

export const collect = new Hono<{ Bindings: Env }>();

const decoder = new TextDecoder('utf-8', { fatal: true });

collect.options('/collect', (c) => {
  const origin = c.req.header('Origin') ?? null;
  if (origin === null || !originAllowed(origin, c.req.url, parseAllowedOrigins(c.env.ALLOWED_ORIGINS))) {
    return c.text('origin not allowed', 403);
  }
  return c.body(null, 204, corsHeaders(origin));
});

collect.post('/collect', async (c) => {
  const origin = c.req.header('Origin') ?? null;
  if (!originAllowed(origin, c.req.url, parseAllowedOrigins(c.env.ALLOWED_ORIGINS))) {
    return c.text('origin not allowed', 403);
  }
  if (origin !== null) {
    c.header('Access-Control-Allow-Origin', origin);
    c.header('Vary', 'Origin');
  }
  if (!identityEncoding(c.req.header('Content-Encoding') ?? null)) {
    return c.text('unsupported Content-Encoding: send the body uncompressed', 415);
  }
  if (!acceptedMediaType(c.req.header('Content-Type') ?? null)) {
    return c.text('unsupported Content-Type: send JSON as text/plain or application/json', 415);
  }
  const declared = Number(c.req.header('Content-Length'));
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
    return c.text(`body larger than ${MAX_BODY_BYTES} bytes`, 413);
  }
  const body = await readCapped(c.req.raw.body);
  if (!body.ok) return c.text(`body larger than ${MAX_BODY_BYTES} bytes`, 413);

  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(body.bytes));
  } catch (error) {
    return c.text(`invalid JSON: ${error instanceof Error ? error.message : 'unreadable body'}`, 400);
  }
  const parsed = Beacon.safeParse(json);
  if (!parsed.success) return c.text(`invalid beacon: ${describeIssues(parsed.error)}`, 400);
  const beacon = parsed.data;

  const userAgent = c.req.header('User-Agent') ?? '';
  if (isbot(userAgent)) {
    writePoints(c.env.RUM_AE, [dropPoint(beacon.site, 'bot')]);
    return c.body(null, 202);
  }

  const sampled = applySampling(
    beacon.sid,
    beacon.e,
    { metrics: parseRate(c.env.SAMPLE_RATE), errors: parseRate(c.env.ERROR_SAMPLE_RATE) },
    beacon.sr,
  );
  if (sampled.events.length === 0) return c.body(null, 202);

  const now = Date.now();
  const enriched: EnrichedBeacon = {
    v: 1,
    bid: beacon.bid,
    site: beacon.site,
    session: await pseudonymiseSession(c.env.SESSION_SECRET, beacon.site, beacon.sid, now),
    ts: now,
    pv: { ...beacon.pv, q: keptQuery(beacon.pv.q ?? '', parseList(c.env.QUERY_PARAMS ?? 'utm_*')) || undefined },
    pvWeight: sampled.pvWeight,
    ctx: beacon.ctx ?? {},
    geo: geoOf(c.req.raw),
    agent: agentOf(userAgent),
    // Only CF-Connecting-IP is trusted: X-Forwarded-For is client-controlled.
    ipPrefix: truncateIp(c.req.header('CF-Connecting-IP')),
    events: sampled.events,
  };
  try {
    await c.env.BEACONS.send(enriched, { contentType: 'json' });
  } catch (error) {
    // The queue is down, not the client's fault: 503 tells the SDK to retry later.
    console.error('enqueue failed', error instanceof Error ? error.message : 'unknown');
    return c.text('temporarily unavailable, retry later', 503, { 'Retry-After': '30' });
  }
  writePoints(c.env.RUM_AE, metricPoints(enriched));
  return c.body(null, 202);
});
