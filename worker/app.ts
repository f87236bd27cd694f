/**
 * The HTTP app: small routers, one concern each, mounted under an optional
 * path prefix (`ROUTE_PREFIX`), so a Worker routed at `example.com/rum/*`
 * serves `/rum/rum.js` and `/rum/collect` first-party.
 */
import { Hono } from 'hono';
import { api } from './api/routes.ts';
import { collect } from './collect/route.ts';
import { dashboardHeaders, dashboardPage } from './pages/dashboard.ts';
import { demoPage } from './pages/demo.ts';
import { sdkScripts } from './sdk-route.ts';

/** Path inside the app: the request path with the prefix removed, or a path nothing matches. */
export function appPath(pathname: string, prefix: string | undefined): string {
  const base = (prefix ?? '').replace(/\/+$/, '');
  if (!base) return pathname;
  if (pathname === base) return '/';
  if (pathname.startsWith(`${base}/`)) return pathname.slice(base.length);
  return '/\u0000outside-prefix';
}

export const app = new Hono<{ Bindings: Env }>({
  getPath: (request, options) => appPath(new URL(request.url).pathname, (options?.env as Env | undefined)?.ROUTE_PREFIX),
});

app.get('/', (c) => {
  const prefix = c.env.ROUTE_PREFIX ?? '';
  return c.text(`Edge RUM collector.\n\nScript:    ${prefix}/rum.js\nCollect:   ${prefix}/collect\nDashboard: ${prefix}/dashboard\nDemo:      ${prefix}/demo\n`);
});
app.get('/dashboard', (c) => {
  const nonce = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
  return c.html(dashboardPage((c.env.ROUTE_PREFIX ?? '').replace(/\/+$/, ''), nonce), 200, dashboardHeaders(nonce));
});
app.get('/demo', (c) => c.html(demoPage((c.env.ROUTE_PREFIX ?? '').replace(/\/+$/, ''))));
app.route('/', collect);
app.route('/', sdkScripts);
app.route('/api/v1', api);

app.notFound((c) => c.text('not found', 404));
app.onError((error, c) => {
  console.error('unhandled error', error);
  return c.text('internal error', 500);
});
