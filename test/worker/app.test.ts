import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import worker from '../../worker/index.ts';
import { appPath } from '../../worker/app.ts';
import { CHROME_UA, makeBeacon } from '../helpers/beacon.ts';

const call = (url: string, init: RequestInit = {}, vars: Partial<Env> = {}) =>
  worker.fetch(new Request(url, init), { ...env, ...vars }, createExecutionContext());

describe('GET /rum.js', () => {
  it('serves the built SDK with caching headers and an ETag', async () => {
    const response = await call('https://site.example/rum.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toMatch(/^text\/javascript/);
    expect(response.headers.get('Cache-Control')).toMatch(/max-age=\d+/);
    const etag = response.headers.get('ETag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const body = await response.text();
    expect(body.length).toBeGreaterThan(500);
    const again = await call('https://site.example/rum.js', { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const changed = await call('https://site.example/rum.js', { headers: { 'If-None-Match': '"other"' } });
    expect(changed.status).toBe(200);
  });

  it('answers 404 for scripts that do not exist', async () => {
    expect((await call('https://site.example/nope.js')).status).toBe(404);
  });
});

describe('GET /dashboard', () => {
  it('serves the page under a policy that runs only its own script, with a fresh nonce each time', async () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const response = await call('https://site.example/rum/dashboard', {}, { ROUTE_PREFIX: '/rum' });
      expect(response.status).toBe(200);
      expect(response.headers.get('Content-Type')).toMatch(/^text\/html/);
      expect(response.headers.get('Cache-Control')).toBe('no-store');
      const policy = response.headers.get('Content-Security-Policy')!;
      const nonce = /script-src 'nonce-([^']+)'/.exec(policy)![1]!;
      expect(policy).toContain("default-src 'none'");
      expect(policy).toContain("connect-src 'self'");
      const body = await response.text();
      // Every script and style element carries the nonce; the API it reads is under the prefix.
      expect(body.match(/<script\b[^>]*>/g)).toEqual([`<script nonce="${nonce}">`]);
      expect(body.match(/<style\b[^>]*>/g)).toEqual([`<style nonce="${nonce}">`]);
      expect(body).toContain('"api":"/rum/api/v1"');
      expect(body).not.toContain(env.API_TOKEN);
      nonces.add(nonce);
    }
    expect(nonces.size).toBe(2);
  });
});

describe('route prefix', () => {
  it('maps paths under the prefix and nothing else', () => {
    expect(appPath('/rum/collect', '/rum')).toBe('/collect');
    expect(appPath('/rum', '/rum/')).toBe('/');
    expect(appPath('/rumx/collect', '/rum')).not.toBe('/collect');
    expect(appPath('/collect', '/rum')).not.toBe('/collect');
    expect(appPath('/collect', '')).toBe('/collect');
  });

  it('serves every route under ROUTE_PREFIX, first-party', async () => {
    const vars = { ROUTE_PREFIX: '/rum' };
    expect((await call('https://example.com/rum/rum.js', {}, vars)).status).toBe(200);
    const demo = await call('https://example.com/rum/demo', {}, vars);
    expect(await demo.text()).toContain('src="/rum/rum.js"');
    const collect = await call(
      'https://example.com/rum/collect',
      { method: 'POST', body: JSON.stringify(makeBeacon()), headers: { 'Content-Type': 'text/plain', 'User-Agent': CHROME_UA } },
      vars,
    );
    expect(collect.status).toBe(202);
    expect((await call('https://example.com/rum/api/v1/routes?site=test', {}, vars)).status).toBe(401);
    expect((await call('https://example.com/collect', { method: 'POST' }, vars)).status).toBe(404);
    expect((await call('https://example.com/rum.js', {}, vars)).status).toBe(404);
  });
});

describe('demo data route', () => {
  it('does not exist unless DEMO_DATA is "1"', async () => {
    const init = { method: 'POST', headers: { Authorization: 'Bearer test-api-token' } };
    expect((await call('https://site.example/api/v1/demo/load?site=demo&day=0', init)).status).toBe(404);
  });
});
