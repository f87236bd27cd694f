-- Raw events, one row per event, UTC epoch milliseconds everywhere.
-- Every row carries its sampling weight (1 / sample rate of its class).

-- Beacon ids already stored: a redelivered queue message is stored once.
CREATE TABLE beacons (
  id TEXT PRIMARY KEY,
  site TEXT NOT NULL,
  ts INTEGER NOT NULL
);
CREATE INDEX beacons_ts ON beacons (ts);

CREATE TABLE page_views (
  id TEXT PRIMARY KEY,
  site TEXT NOT NULL,
  ts INTEGER NOT NULL,
  route TEXT NOT NULL,
  path TEXT NOT NULL,
  session TEXT NOT NULL,
  nav TEXT,
  country TEXT NOT NULL,
  continent TEXT NOT NULL,
  colo TEXT NOT NULL,
  browser TEXT NOT NULL,
  browser_version INTEGER NOT NULL,
  os TEXT NOT NULL,
  device TEXT NOT NULL,
  connection TEXT,
  tier TEXT,
  ip_prefix TEXT,
  release TEXT,
  trace_id TEXT,
  weight REAL NOT NULL
);
CREATE INDEX page_views_site_ts ON page_views (site, ts);
CREATE INDEX page_views_site_route_ts ON page_views (site, route, ts);

CREATE TABLE metric_events (
  id INTEGER PRIMARY KEY,
  beacon_id TEXT NOT NULL,
  page_view_id TEXT NOT NULL,
  site TEXT NOT NULL,
  ts INTEGER NOT NULL,
  route TEXT NOT NULL,
  metric TEXT NOT NULL,
  value REAL NOT NULL,
  rating TEXT NOT NULL,
  weight REAL NOT NULL,
  country TEXT NOT NULL,
  continent TEXT NOT NULL,
  device TEXT NOT NULL,
  browser TEXT NOT NULL,
  os TEXT NOT NULL,
  connection TEXT,
  attribution TEXT
);
CREATE INDEX metric_events_site_metric_ts ON metric_events (site, metric, ts);
CREATE INDEX metric_events_site_route_metric_ts ON metric_events (site, route, metric, ts);

CREATE TABLE nav_timings (
  id INTEGER PRIMARY KEY,
  beacon_id TEXT NOT NULL,
  page_view_id TEXT NOT NULL,
  site TEXT NOT NULL,
  ts INTEGER NOT NULL,
  route TEXT NOT NULL,
  redirect REAL,
  dns REAL,
  tcp REAL,
  tls REAL,
  ttfb REAL,
  download REAL,
  dom_interactive REAL,
  dom_content_loaded REAL,
  load REAL,
  transfer INTEGER,
  weight REAL NOT NULL
);
CREATE INDEX nav_timings_site_route_ts ON nav_timings (site, route, ts);

CREATE TABLE errors (
  id INTEGER PRIMARY KEY,
  beacon_id TEXT NOT NULL,
  page_view_id TEXT NOT NULL,
  site TEXT NOT NULL,
  ts INTEGER NOT NULL,
  route TEXT NOT NULL,
  path TEXT NOT NULL,
  kind TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  message TEXT NOT NULL,
  stack TEXT,
  source TEXT,
  line INTEGER,
  col INTEGER,
  count INTEGER NOT NULL,
  weight REAL NOT NULL,
  country TEXT NOT NULL,
  browser TEXT NOT NULL,
  os TEXT NOT NULL
);
CREATE INDEX errors_site_ts ON errors (site, ts);
CREATE INDEX errors_site_fingerprint_ts ON errors (site, fingerprint, ts);
CREATE INDEX errors_site_route_ts ON errors (site, route, ts);

CREATE TABLE custom_events (
  id INTEGER PRIMARY KEY,
  beacon_id TEXT NOT NULL,
  page_view_id TEXT NOT NULL,
  site TEXT NOT NULL,
  ts INTEGER NOT NULL,
  route TEXT NOT NULL,
  name TEXT NOT NULL,
  value REAL,
  duration REAL,
  start REAL,
  weight REAL NOT NULL
);
CREATE INDEX custom_events_site_name_ts ON custom_events (site, name, ts);
