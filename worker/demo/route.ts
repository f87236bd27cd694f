/**
 * `POST /api/v1/demo/load?site=demo&day=<epoch ms>`: loads one day of the demo
 * data set through the same storage path as the queue consumer (D1, then the
 * digest objects). Exists only when the `DEMO_DATA` var is "1", which
 * `npm start` sets locally; a deployed Worker answers 404.
 */
import { Hono } from 'hono';
import { feedDigests } from '../digest/feed.ts';
import { DAY } from '../digest/types.ts';
import { storeBeacons } from '../store/consumer.ts';
import { demoDay } from './dataset.ts';

export const demo = new Hono<{ Bindings: Env & { DEMO_DATA?: string } }>();

demo.post('/demo/load', async (c) => {
  if (c.env.DEMO_DATA !== '1') return c.json({ error: 'no such API route' }, 404);
  const site = c.req.query('site') ?? 'demo';
  const day = Math.floor(Number(c.req.query('day')) / DAY) * DAY;
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(site) || !Number.isFinite(day)) {
    return c.json({ error: 'site and day (epoch ms) are required' }, 400);
  }
  const beacons = demoDay(site, day);
  const stored = await storeBeacons(c.env.DB, beacons);
  await feedDigests(c.env.ROUTE_DIGEST, beacons);
  return c.json({ data: [{ day, beacons: beacons.length, stored }] });
});
