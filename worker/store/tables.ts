/**
 * drizzle-orm views of the D1 tables. The schema itself lives in
 * `migrations/` (the only source at run time); a test checks that these
 * definitions match what the migrations create.
 */
import { integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const beacons = sqliteTable('beacons', {
  id: text('id').primaryKey(),
  site: text('site').notNull(),
  ts: integer('ts').notNull(),
});

/** Columns every event row shares. */
const eventColumns = () => ({
  id: integer('id').primaryKey(),
  beaconId: text('beacon_id').notNull(),
  pageViewId: text('page_view_id').notNull(),
  site: text('site').notNull(),
  ts: integer('ts').notNull(),
  route: text('route').notNull(),
});

export const pageViews = sqliteTable('page_views', {
  id: text('id').primaryKey(),
  site: text('site').notNull(),
  ts: integer('ts').notNull(),
  route: text('route').notNull(),
  path: text('path').notNull(),
  session: text('session').notNull(),
  nav: text('nav'),
  country: text('country').notNull(),
  continent: text('continent').notNull(),
  colo: text('colo').notNull(),
  browser: text('browser').notNull(),
  browserVersion: integer('browser_version').notNull(),
  os: text('os').notNull(),
  device: text('device').notNull(),
  connection: text('connection'),
  tier: text('tier'),
  ipPrefix: text('ip_prefix'),
  release: text('release'),
  traceId: text('trace_id'),
  weight: real('weight').notNull(),
  query: text('query'),
});

export const metricEvents = sqliteTable('metric_events', {
  ...eventColumns(),
  metric: text('metric').notNull(),
  value: real('value').notNull(),
  rating: text('rating').notNull(),
  weight: real('weight').notNull(),
  country: text('country').notNull(),
  continent: text('continent').notNull(),
  device: text('device').notNull(),
  browser: text('browser').notNull(),
  os: text('os').notNull(),
  connection: text('connection'),
  attribution: text('attribution'),
});

export const navTimings = sqliteTable('nav_timings', {
  ...eventColumns(),
  redirect: real('redirect'),
  dns: real('dns'),
  tcp: real('tcp'),
  tls: real('tls'),
  ttfb: real('ttfb'),
  download: real('download'),
  domInteractive: real('dom_interactive'),
  domContentLoaded: real('dom_content_loaded'),
  load: real('load'),
  transfer: integer('transfer'),
  weight: real('weight').notNull(),
});

export const errors = sqliteTable('errors', {
  ...eventColumns(),
  path: text('path').notNull(),
  kind: text('kind').notNull(),
  fingerprint: text('fingerprint').notNull(),
  message: text('message').notNull(),
  stack: text('stack'),
  source: text('source'),
  line: integer('line'),
  col: integer('col'),
  count: integer('count').notNull(),
  weight: real('weight').notNull(),
  country: text('country').notNull(),
  browser: text('browser').notNull(),
  os: text('os').notNull(),
});

export const customEvents = sqliteTable('custom_events', {
  ...eventColumns(),
  name: text('name').notNull(),
  value: real('value'),
  duration: real('duration'),
  start: real('start'),
  weight: real('weight').notNull(),
});
