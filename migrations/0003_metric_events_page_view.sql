-- The consumer looks metrics up by page view: a later value of a metric the
-- page view already sent (`u`, CLS or INP grown after the page was hidden)
-- replaces the stored one.
CREATE INDEX metric_events_page_view_metric ON metric_events (page_view_id, metric);
