/**
 * Serves the built SDK scripts (`/rum.js`, and any other build) first-party,
 * with a strong ETag and a short shared cache so a new release reaches
 * visitors within the hour while repeat views revalidate cheaply.
 */
import { Hono } from 'hono';
import { SDK_SCRIPTS } from './generated/sdk.ts';

export const sdkScripts = new Hono<{ Bindings: Env }>();

sdkScripts.get('/:name{[a-z0-9.]+\\.js}', (c) => {
  const script = SDK_SCRIPTS[c.req.param('name')];
  if (!script) return c.notFound();
  const headers = {
    'Content-Type': 'text/javascript; charset=utf-8',
    'Cache-Control': 'public, max-age=3600, stale-while-revalidate=86400',
    ETag: script.etag,
    'X-Content-Type-Options': 'nosniff',
  };
  const ifNoneMatch = c.req.header('If-None-Match');
  if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === script.etag)) {
    return c.body(null, 304, headers);
  }
  return c.body(script.body, 200, headers);
});
