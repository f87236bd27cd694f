/**
 * The Grafana dashboards are committed in Grafana's portable export form, so
 * one file imports into any Grafana. No Grafana runs here: these tests check
 * the structure Grafana, the Infinity plugin and the Altinity ClickHouse
 * plugin rely on. `test/worker/dashboards.test.ts` runs the Infinity queries
 * against the Worker itself.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIR = join(import.meta.dirname, '../../dashboards');
const INFINITY = 'yesoreyeram-infinity-datasource';
const CLICKHOUSE = 'vertamedia-clickhouse-datasource';

type Json = Record<string, any>;

const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
const dashboards = files.map((file) => ({ file, text: readFileSync(join(DIR, file), 'utf8') }));

/** Panels, including those nested in collapsed rows. */
function panelsOf(dashboard: Json): Json[] {
  return (dashboard.panels as Json[]).flatMap((p) => [p, ...((p.panels as Json[] | undefined) ?? [])]);
}

/** Every `datasource` object anywhere in the document. */
function datasourceRefs(node: unknown, out: unknown[] = []): unknown[] {
  if (Array.isArray(node)) node.forEach((n) => datasourceRefs(n, out));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'datasource') out.push(value);
      datasourceRefs(value, out);
    }
  }
  return out;
}

/** Infinity queries: panel targets and query variables. */
function infinityQueries(dashboard: Json): { where: string; query: Json }[] {
  const fromPanels = panelsOf(dashboard).flatMap((p) =>
    ((p.targets as Json[] | undefined) ?? [])
      .filter((t) => t.datasource?.type === INFINITY)
      .map((query) => ({ where: `panel ${p.id} "${p.title}" ${query.refId}`, query })),
  );
  const fromVariables = (dashboard.templating.list as Json[])
    .filter((v) => v.type === 'query' && v.datasource?.type === INFINITY)
    .map((v) => ({ where: `variable ${v.name}`, query: v.query.infinityQuery as Json }));
  return [...fromPanels, ...fromVariables];
}

it('finds the three dashboards', () => {
  expect(files.sort()).toEqual(['rum-analytics-engine.json', 'rum-overview.json', 'rum-regions.json']);
});

describe.each(dashboards)('$file', ({ text }) => {
  const dashboard = JSON.parse(text) as Json;
  const inputs = dashboard.__inputs as Json[];
  const panels = panelsOf(dashboard);
  const variables = dashboard.templating.list as Json[];

  it('is a portable export: id null, a stable uid, a current schema', () => {
    expect(dashboard.id).toBeNull();
    expect(dashboard.uid).toMatch(/^edge-rum-[a-z0-9-]+$/);
    expect(dashboard.uid.length).toBeLessThanOrEqual(40);
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.schemaVersion).toBeLessThanOrEqual(41);
    expect(dashboard.title).toMatch(/^Edge RUM: /);
    expect(dashboard.tags).toContain('edge-rum');
  });

  it('declares its datasources as __inputs and requires their plugins', () => {
    expect(inputs.length).toBeGreaterThan(0);
    for (const input of inputs) {
      expect(input).toMatchObject({ type: 'datasource', name: expect.stringMatching(/^DS_[A-Z0-9_]+$/) });
      expect([INFINITY, CLICKHOUSE]).toContain(input.pluginId);
      expect(dashboard.__requires).toContainEqual(expect.objectContaining({ type: 'datasource', id: input.pluginId }));
    }
    expect(dashboard.__requires).toContainEqual(expect.objectContaining({ type: 'grafana', id: 'grafana' }));
    for (const type of new Set(panels.map((p) => p.type))) {
      expect(dashboard.__requires).toContainEqual(expect.objectContaining({ type: 'panel', id: type }));
    }
  });

  it('references datasources only through ${DS_...} inputs of the matching plugin', () => {
    const byName = new Map(inputs.map((i) => [`\${${i.name}}`, i.pluginId as string]));
    for (const ref of datasourceRefs(dashboard)) {
      expect(ref, 'datasource must be an object {type, uid}').toBeTypeOf('object');
      const { type, uid } = ref as { type: string; uid: string };
      if (type === 'grafana') continue; // the built-in annotations query
      expect(byName.get(uid), `uid ${uid}`).toBe(type);
    }
    // Every ${DS_...} in the text is an input (a typo would import as a broken panel).
    for (const [match] of text.matchAll(/\$\{DS_[A-Za-z0-9_]+\}/g)) expect(byName.has(match), match).toBe(true);
  });

  it('has a datasource variable per input, so file provisioning resolves ${DS_...} without editing', () => {
    for (const input of inputs) {
      const variable = variables.find((v) => v.name === input.name);
      expect(variable, input.name).toMatchObject({ type: 'datasource', query: input.pluginId });
    }
    // Variables are evaluated in order: datasources first, then what uses them.
    const firstOther = variables.findIndex((v) => v.type !== 'datasource');
    const lastDatasource = variables.map((v) => v.type).lastIndexOf('datasource');
    expect(lastDatasource).toBeLessThan(firstOther);
  });

  it('holds no secrets, absolute URLs, hostnames or account ids', () => {
    expect(text).not.toMatch(/:\/\//);
    expect(text).not.toMatch(/Bearer\s+[\w.~+/-]{8,}/);
    expect(text).not.toMatch(/"(?:secureJsonData|bearerToken|basicAuthPassword|httpHeaderValue\d+)"/);
    expect(text).not.toMatch(/\b[0-9a-f]{32}\b/i);
    expect(text).not.toMatch(/\b(?:[a-z0-9-]+\.)+(?:com|net|org|io|dev|workers)\b/i);
  });

  it('has unique panel ids and a grid position inside 24 columns, without overlaps', () => {
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of panels) {
      const { h, w, x, y } = panel.gridPos ?? {};
      for (const n of [h, w, x, y]) expect(Number.isInteger(n), `panel ${panel.id} gridPos`).toBe(true);
      expect(x + w, `panel ${panel.id}`).toBeLessThanOrEqual(24);
    }
    const boxes = panels.filter((p) => p.type !== 'row').map((p) => ({ id: p.id, ...p.gridPos }));
    for (const a of boxes) {
      for (const b of boxes) {
        if (a.id >= b.id) continue;
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        expect(overlap, `panels ${a.id} and ${b.id} overlap`).toBe(false);
      }
    }
  });

  it('gives every panel a title, a description and targets with unique refIds on its datasource', () => {
    for (const panel of panels.filter((p) => p.type !== 'row')) {
      expect(panel.title).toBeTruthy();
      expect(panel.description, `panel ${panel.id}`).toBeTruthy();
      const refIds = (panel.targets as Json[]).map((t) => t.refId);
      expect(refIds.length).toBeGreaterThan(0);
      expect(new Set(refIds).size).toBe(refIds.length);
      for (const target of panel.targets as Json[]) expect(target.datasource).toEqual(panel.datasource);
    }
  });

  it('uses only variables it defines, Grafana globals and the plugins\' macros', () => {
    const defined = new Set(variables.map((v) => v.name as string));
    const globals = new Set(['__interval_ms', '__interval', '__timeFrom', '__timeTo', '__from', '__to', '__field', '__value', '__data']);
    const macros = new Set(['__combineValues', 'timeSeries', 'timeFilter', '__all']);
    for (const [, braced, bare] of text.matchAll(/\$\{([A-Za-z_][\w]*)[^}]*\}|\$([A-Za-z_]\w*)/g)) {
      const name = (braced ?? bare)!;
      const known = defined.has(name) || globals.has(name) || macros.has(name) || name.startsWith('DS_');
      expect(known, `unknown variable or macro: ${name}`).toBe(true);
    }
  });

  describe.runIf(inputs.some((i) => i.pluginId === INFINITY))('Infinity queries', () => {
    const queries = infinityQueries(dashboard);

    it('query the API with the backend parser, the data root and named, typed columns', () => {
      expect(queries.length).toBeGreaterThan(0);
      for (const { where, query } of queries) {
        expect(query, where).toMatchObject({ type: 'json', source: 'url', parser: 'backend', root_selector: 'data' });
        expect(query.url_options?.method ?? 'GET', where).toBe('GET');
        // A path only: the datasource URL holds the Worker's origin and route prefix.
        expect(query.url, where).toMatch(/^\/api\/v1\/(routes|percentiles|breakdown|errors|summary)\?/);
        expect(query.url, where).toContain('site=${site}');
        expect(query.url, where).toContain('from=${__timeFrom}&to=${__timeTo}');
        expect(query.columns.length, where).toBeGreaterThan(0);
        for (const column of query.columns as Json[]) {
          expect(column.selector, where).toMatch(/^[A-Za-z]\w*$/);
          expect(column.text, where).toBeTruthy();
          expect(['string', 'number', 'timestamp_epoch'], where).toContain(column.type);
        }
      }
    });

    it('read times as epoch milliseconds, and time series in whole-hour interval buckets', () => {
      for (const { where, query } of queries) {
        for (const column of query.columns as Json[]) {
          if (['time', 'firstSeen', 'lastSeen'].includes(column.selector)) expect(column.type, where).toBe('timestamp_epoch');
        }
        if (query.format === 'timeseries') {
          expect(query.url, where).toMatch(/\/api\/v1\/percentiles\?/);
          expect(query.url, where).toContain('interval=${__interval_ms}');
          expect(query.columns[0], where).toMatchObject({ selector: 'time', type: 'timestamp_epoch' });
        }
      }
      for (const panel of panels.filter((p) => p.targets.some((t: Json) => t.format === 'timeseries'))) {
        expect(panel.interval, `panel ${panel.id}`).toBe('1h');
      }
    });

    it('pass the route variable as a parameter that is empty for All', () => {
      const route = variables.find((v) => v.name === 'route');
      expect(route).toMatchObject({ type: 'query', includeAll: true, allValue: '*', refresh: 2 });
      for (const { where, query } of queries) {
        const params = (query.url_options?.params ?? []) as Json[];
        if (query.url.startsWith('/api/v1/routes')) {
          expect(params, where).toEqual([]);
          continue;
        }
        // Infinity's combineValues macro turns a lone `*` (the All value) into an empty string.
        expect(params, where).toEqual([{ key: 'route', value: '$__combineValues(,,__comma,${route})' }]);
        expect(query.url, where).not.toContain('route=');
      }
    });
  });

  describe.runIf(inputs.some((i) => i.pluginId === CLICKHOUSE))('Analytics Engine queries', () => {
    const targets = panels.flatMap((p) => (p.targets as Json[]).map((t) => ({ where: `panel ${p.id} ${t.refId}`, t })));

    it('read rum_events in the time range, for the site, weighted for sampling', () => {
      expect(targets.length).toBeGreaterThan(0);
      for (const { where, t } of targets) {
        const sql = t.query as string;
        expect(t, where).toMatchObject({ dateTimeColDataType: 'timestamp', extrapolate: false });
        expect(['time_series', 'table'], where).toContain(t.format);
        expect(sql, where).toMatch(/FROM rum_events\b/);
        expect(sql, where).toContain('WHERE $timeFilter');
        expect(sql, where).toContain("blob1 = '${site}'");
        expect(sql, where).toMatch(/blob14 = '(metric|drop)'/);
        // Counts and quantiles account for AE sampling (_sample_interval) and the SDK's (double2).
        expect(sql, where).not.toMatch(/\bcount\s*\(/i);
        for (const [call] of sql.matchAll(/\b(?:sum|quantile\w*)\([^)]*\)(?:\([^)]*\)+)?/gi)) {
          expect(call, where).toContain('_sample_interval * double2');
        }
        if (t.format === 'time_series') expect(sql, where).toMatch(/^SELECT \$timeSeries AS t,/);
      }
    });

    it('compute percentiles with quantileExactWeighted, the weighted quantile the SQL API offers', () => {
      const quantiles = targets.filter(({ t }) => /quantile/i.test(t.query));
      expect(quantiles.length).toBeGreaterThan(0);
      for (const { where, t } of quantiles) {
        expect(t.query, where).toContain('quantileExactWeighted(0.75)(double1, toUInt32(round(_sample_interval * double2)))');
        expect(t.query, where).toContain("blob14 = 'metric'");
      }
      const metrics = targets.flatMap(({ t }) => [...(t.query as string).matchAll(/blob3 = '(\w+)'/g)].map((m) => m[1]));
      expect(new Set(metrics)).toEqual(new Set(['LCP', 'INP', 'CLS', 'FCP', 'TTFB']));
    });
  });
});

describe('provisioning', () => {
  const datasources = readFileSync(join(DIR, 'provisioning/datasources.yaml'), 'utf8');
  const providers = readFileSync(join(DIR, 'provisioning/dashboards.yaml'), 'utf8');

  it('provisions one datasource per plugin the dashboards import', () => {
    const plugins = new Set(dashboards.flatMap(({ text }) => (JSON.parse(text).__inputs as Json[]).map((i) => i.pluginId)));
    for (const plugin of plugins) expect(datasources).toContain(`type: ${plugin}`);
  });

  it('takes every credential from the environment', () => {
    expect(datasources).toMatch(/auth_method: bearerToken/);
    expect(datasources).toMatch(/bearerToken: \$\{RUM_API_TOKEN\}/);
    expect(datasources).toMatch(/httpHeaderValue1: Bearer \$\{CF_API_TOKEN\}/);
    expect(datasources).toMatch(/accounts\/\$\{CF_ACCOUNT_ID\}\/analytics_engine\/sql/);
    expect(datasources).toMatch(/allowedHosts:\n\s+- \$\{RUM_API_URL\}/);
    expect(datasources).not.toMatch(/\b[0-9a-f]{32}\b/i);
  });

  it('loads the dashboards from files', () => {
    expect(providers).toMatch(/type: file/);
    expect(providers).toMatch(/path: \/\S+/);
  });
});
