-- Allow-listed query parameters of the page URL (utm_* by default), as the
-- SDK sends them in `pv.q`; everything else in a query string is dropped in
-- the browser and never reaches the collector.
ALTER TABLE page_views ADD COLUMN query TEXT;
