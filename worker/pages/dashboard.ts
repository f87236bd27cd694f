/**
 * `/dashboard`: a built-in dashboard on the query API, for a look at the data
 * without Grafana. One page, no assets from elsewhere: it asks for the API
 * token (or takes it from the URL fragment, `#token=...`, which never reaches
 * a server), keeps it in memory only (the page shares its origin with the
 * monitored site, whose scripts could read any storage), and reads `/api/v1`
 * like any other client. Everything a beacon carried (routes, error messages)
 * is written as text (`textContent`); the Content-Security-Policy, which runs
 * only this page's own script, is a second line of defence.
 */
import { METRIC_NAMES } from '../schema/beacon.ts';
import { THRESHOLDS } from '../store/rating.ts';

/** Security headers for the dashboard; `nonce` marks its one script and style. */
export function dashboardHeaders(nonce: string): Record<string, string> {
  return {
    'Content-Security-Policy': [
      "default-src 'none'",
      `script-src 'nonce-${nonce}'`,
      `style-src 'nonce-${nonce}'`,
      "connect-src 'self'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
  };
}

export function dashboardPage(prefix: string, nonce: string): string {
  const config = JSON.stringify({ api: `${prefix}/api/v1`, metrics: METRIC_NAMES, thresholds: THRESHOLDS }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Edge RUM dashboard</title>
<style nonce="${nonce}">
  :root { --good: #0a7d3b; --ni: #c77c00; --poor: #c62828; --line: #ddd; font: 14px/1.45 system-ui, sans-serif; color: #222; }
  body { margin: 0 auto; max-width: 72rem; padding: 1rem; }
  [hidden] { display: none !important; }
  header form { display: contents; }
  header { display: flex; flex-wrap: wrap; gap: .75rem; align-items: end; margin-bottom: 1rem; }
  header h1 { font-size: 1.2rem; margin: 0 1rem 0 0; }
  label { display: grid; font-size: .8rem; color: #555; }
  input, select, button { font: inherit; padding: .3rem .4rem; }
  #status { color: #555; min-height: 1.4em; }
  #status.error { color: var(--poor); }
  #tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); gap: .75rem; }
  .tile { border: 1px solid var(--line); border-radius: 6px; padding: .6rem .75rem; }
  .tile h2 { font-size: .85rem; margin: 0; color: #555; }
  .tile .p75 { font-size: 1.6rem; font-weight: 600; }
  .good { color: var(--good); } .needs-improvement { color: var(--ni); } .poor { color: var(--poor); }
  .bar { display: flex; height: .5rem; border-radius: 3px; overflow: hidden; background: #eee; margin: .3rem 0; }
  .bar span:nth-child(1) { background: var(--good); } .bar span:nth-child(2) { background: var(--ni); } .bar span:nth-child(3) { background: var(--poor); }
  .small { font-size: .8rem; color: #555; }
  section { margin-top: 1.5rem; }
  section h2 { font-size: 1rem; margin: 0 0 .5rem; display: flex; gap: .75rem; align-items: center; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  td.msg { font-family: ui-monospace, monospace; word-break: break-word; }
  svg { width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; }
  .two { display: grid; grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr)); gap: 1.5rem; }
</style>
</head>
<body>
<header><form id="controls">
  <h1>Edge RUM</h1>
  <label>Site <input id="site" size="12" autocomplete="off"></label>
  <label>Range <select id="range"><option value="24h">Last 24 hours</option><option value="7d">Last 7 days</option><option value="30d">Last 30 days</option></select></label>
  <label>Route <select id="route"><option value="">All routes</option></select></label>
  <label>Metric <select id="metric"></select></label>
  <label id="token-label" hidden>API token <input id="token" type="password" size="20" autocomplete="off"></label>
  <button id="apply">Show</button>
</form></header>
<p id="status" role="status"></p>
<div id="tiles"></div>
<section>
  <h2>p75 over time <span class="small" id="chart-note"></span></h2>
  <svg id="chart" viewBox="0 0 720 220" role="img" aria-label="p75 over time"></svg>
</section>
<div class="two">
  <section>
    <h2>Breakdown <select id="by"><option>country</option><option>continent</option><option>device</option><option>browser</option><option>os</option><option>connection</option></select></h2>
    <table><thead><tr><th id="by-head">country</th><th class="num">p75</th><th class="num">page views</th><th class="num">good</th></tr></thead><tbody id="breakdown"></tbody></table>
  </section>
  <section>
    <h2>Routes</h2>
    <table><thead><tr><th>route</th><th class="num">page views</th></tr></thead><tbody id="routes"></tbody></table>
  </section>
</div>
<section>
  <h2>Top errors</h2>
  <table><thead><tr><th>message</th><th>route</th><th class="num">count</th><th class="num">page views</th><th>last seen</th></tr></thead><tbody id="errors"></tbody></table>
</section>
<script nonce="${nonce}">
(() => {
  const CONFIG = ${config};
  const HOUR = 3600000;
  // Range: its span, and the bucket the series uses (the range is aligned to whole buckets).
  const RANGES = { '24h': [24 * HOUR, HOUR, '1h'], '7d': [7 * 24 * HOUR, 6 * HOUR, '6h'], '30d': [30 * 24 * HOUR, 24 * HOUR, '1d'] };
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const utc = (t) => new Date(t).toISOString().slice(0, 16).replace('T', ' ');

  // The token lives in this page's memory only. A token in the fragment (npm start prints
  // such a link) is taken and removed from the address bar.
  let token = '';
  const fromFragment = /(?:^#|&)token=([^&]*)/.exec(location.hash);
  if (fromFragment) {
    token = decodeURIComponent(fromFragment[1]);
    history.replaceState(null, '', location.pathname + location.search);
  }
  // The route of a linked view applies to the first load only; after that the select decides.
  let linkedRoute = params.get('route');

  $('site').value = params.get('site') || 'demo';
  if (Object.hasOwn(RANGES, params.get('range') || '')) $('range').value = params.get('range');
  for (const m of CONFIG.metrics) $('metric').append(new Option(m, m));
  $('metric').value = CONFIG.metrics.includes(params.get('metric')) ? params.get('metric') : 'LCP';
  $('token-label').hidden = Boolean(token);

  const el = (tag, text, className) => {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  };
  const row = (cells) => {
    const tr = document.createElement('tr');
    for (const [text, className] of cells) tr.append(el('td', text, className));
    return tr;
  };
  const format = (metric, value) =>
    value === null || value === undefined ? '-' : metric === 'CLS' ? value.toFixed(3) : Math.round(value).toLocaleString('en-US') + ' ms';
  const percent = (share) => (share === null || share === undefined ? '-' : Math.round(share * 100) + '%');
  const rating = (metric, value) => {
    const [good, poor] = CONFIG.thresholds[metric];
    return value === null ? '' : value <= good ? 'good' : value <= poor ? 'needs-improvement' : 'poor';
  };

  function status(text, isError) {
    $('status').textContent = text;
    $('status').className = isError ? 'error' : '';
  }

  async function api(path, query) {
    const response = await fetch(CONFIG.api + path + '?' + new URLSearchParams(query), { headers: { Authorization: 'Bearer ' + token } });
    if (response.status === 401) {
      token = '';
      $('token-label').hidden = false;
      throw new Error('The API token was refused. Enter the API_TOKEN of this Worker.');
    }
    const text = await response.text();
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(path + ' answered HTTP ' + response.status + ': ' + text.slice(0, 200));
    }
    if (!response.ok) throw new Error(body.error || 'HTTP ' + response.status);
    return body.data;
  }

  function tiles(rows) {
    $('tiles').replaceChildren(
      ...rows.map((r) => {
        const tile = el('div', undefined, 'tile');
        tile.dataset.metric = r.metric;
        const bar = el('div', undefined, 'bar');
        for (const share of [r.good, r.needsImprovement, r.poor]) {
          const part = el('span');
          part.style.width = ((share || 0) * 100).toFixed(1) + '%';
          bar.append(part);
        }
        tile.append(
          el('h2', r.metric),
          el('div', format(r.metric, r.p75), 'p75 ' + (r.rating || '')),
          bar,
          el('div', percent(r.good) + ' good · ' + Math.round(r.count).toLocaleString('en-US') + ' page views', 'small'),
        );
        return tile;
      }),
    );
  }

  function chart(metric, rows, from, to, step) {
    const svg = $('chart');
    const NS = 'http://www.w3.org/2000/svg';
    const node = (tag, attrs, text) => {
      const n = document.createElementNS(NS, tag);
      for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
      if (text !== undefined) n.textContent = text;
      return n;
    };
    const [good, poor] = CONFIG.thresholds[metric];
    const values = rows.filter((r) => r.p75 !== null);
    const top = Math.max(poor * 1.15, ...values.map((r) => r.p75 * 1.1));
    const W = 720, H = 220, L = 56, R = 8, T = 10, B = 24;
    const x = (t) => L + ((t - from) / (to - from)) * (W - L - R);
    const y = (v) => T + (1 - v / top) * (H - T - B);
    const parts = [];
    for (const [value, name] of [[good, 'good'], [poor, 'poor']]) {
      parts.push(node('line', { x1: L, x2: W - R, y1: y(value), y2: y(value), stroke: name === 'good' ? '#0a7d3b' : '#c62828', 'stroke-dasharray': '4 4' }));
      parts.push(node('text', { x: L - 4, y: y(value) + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#555' }, format(metric, value)));
    }
    // One polyline per run of consecutive buckets: the API leaves out buckets without
    // data, and a missing bucket is a gap in the line, not a slope across it.
    let run = [];
    let last = -Infinity;
    let runs = 0;
    const flush = () => {
      if (run.length > 1) parts.push(node('polyline', { points: run.join(' '), fill: 'none', stroke: '#1f5fbf', 'stroke-width': 2 }));
      if (run.length === 1) { const [cx, cy] = run[0].split(','); parts.push(node('circle', { cx, cy, r: 2.5, fill: '#1f5fbf' })); }
      if (run.length > 0) runs += 1;
      run = [];
    };
    for (const r of values) {
      if (r.time - last > step) flush();
      run.push(x(r.time).toFixed(1) + ',' + y(r.p75).toFixed(1));
      last = r.time;
    }
    flush();
    parts.push(node('text', { x: L, y: H - 6, 'font-size': 11, fill: '#555' }, utc(from) + ' UTC'));
    parts.push(node('text', { x: W - R, y: H - 6, 'font-size': 11, fill: '#555', 'text-anchor': 'end' }, utc(to) + ' UTC'));
    svg.replaceChildren(...parts);
    svg.dataset.points = String(values.length);
    svg.dataset.runs = String(runs);
    $('chart-note').textContent = metric + ', ' + values.length + ' buckets with data';
  }

  function showRoutes(routes) {
    const select = $('route');
    const chosen = linkedRoute ?? select.value;
    linkedRoute = null;
    select.replaceChildren(new Option('All routes', ''), ...routes.map((r) => new Option(r.route, r.route)));
    if (routes.some((r) => r.route === chosen)) select.value = chosen;
    $('routes').replaceChildren(...routes.map((r) => row([[r.route], [Math.round(r.pageViews).toLocaleString('en-US'), 'num']])));
  }

  // Each show() is a generation; an older one's answers arriving late are dropped.
  let generation = 0;

  async function show() {
    if (!token) {
      const typed = $('token').value.trim();
      if (!typed) return status('Enter the API token (API_TOKEN) to read this site.', true);
      token = typed;
      $('token').value = '';
    }
    $('token-label').hidden = true;
    const mine = ++generation;
    const current = () => mine === generation;
    const site = $('site').value.trim();
    const [span, step, interval] = RANGES[$('range').value];
    const to = Math.ceil(Date.now() / step) * step;
    const from = to - span;
    const metric = $('metric').value;
    const by = $('by').value;
    const base = { site, from, to };
    status('Loading...');
    try {
      const routes = await api('/routes', base);
      if (!current()) return;
      showRoutes(routes);
      const scoped = $('route').value ? { ...base, route: $('route').value } : base;
      const [summary, series, breakdown, errors] = await Promise.all([
        api('/summary', scoped),
        api('/percentiles', { ...scoped, metric, interval, q: '75' }),
        api('/breakdown', { ...scoped, metric, by }),
        api('/errors', { ...scoped, limit: '20' }),
      ]);
      if (!current()) return;
      tiles(summary);
      chart(metric, series, from, to, step);
      $('by-head').textContent = by;
      $('breakdown').replaceChildren(
        ...breakdown.map((r) => row([[r.group], [format(metric, r.p75), 'num ' + rating(metric, r.p75)], [Math.round(r.count).toLocaleString('en-US'), 'num'], [percent(r.good), 'num']])),
      );
      $('errors').replaceChildren(
        ...errors.map((e) => row([[e.message, 'msg'], [e.route], [Math.round(e.count).toLocaleString('en-US'), 'num'], [Math.round(e.pageViews).toLocaleString('en-US'), 'num'], [utc(e.lastSeen)]])),
      );
      const query = new URLSearchParams({ site, range: $('range').value, metric });
      if ($('route').value) query.set('route', $('route').value);
      history.replaceState(null, '', location.pathname + '?' + query);
      const empty = summary.every((r) => !r.count) && routes.length === 0 && errors.length === 0;
      status(site + ': ' + (empty ? 'no data from ' : '') + utc(from) + ' to ' + utc(to) + ' UTC' + (empty ? '. Is the site name right?' : ''));
      document.body.dataset.loaded = String(Date.now());
    } catch (error) {
      if (current()) status(error.message, true);
    }
  }

  $('controls').addEventListener('submit', (event) => {
    event.preventDefault();
    show();
  });
  for (const id of ['range', 'route', 'metric', 'by']) $(id).addEventListener('change', show);
  $('site').addEventListener('change', () => { $('route').value = ''; show(); });
  if (token) show();
  else status('Enter the API token (API_TOKEN) to read this site.');
})();
</script>
</body>
</html>`;
}
