import { describe, expect, it } from 'vitest';
import { pseudonymiseSession, utcDay } from '../../worker/collect/session.ts';

const DAY = 86_400_000;
const t0 = Date.UTC(2026, 10, 21, 12);

describe('daily session HMAC', () => {
  it('is stable within a UTC day and changes across days', async () => {
    const a = await pseudonymiseSession('secret', 'site', 'sid-12345678', t0);
    const b = await pseudonymiseSession('secret', 'site', 'sid-12345678', t0 + 11 * 3_600_000 - 1);
    const c = await pseudonymiseSession('secret', 'site', 'sid-12345678', t0 + DAY);
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('depends on the secret and the site', async () => {
    const a = await pseudonymiseSession('secret', 'site', 'sid-12345678', t0);
    expect(await pseudonymiseSession('other', 'site', 'sid-12345678', t0)).not.toBe(a);
    expect(await pseudonymiseSession('secret', 'site2', 'sid-12345678', t0)).not.toBe(a);
  });

  it('matches HMAC(HMAC(secret, "session-key:" + day), site:sid)', async () => {
    const enc = new TextEncoder();
    const sign = async (key: Uint8Array<ArrayBuffer>, msg: string) => {
      const k = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
      return new Uint8Array(await crypto.subtle.sign('HMAC', k, enc.encode(msg)));
    };
    const dayKey = await sign(enc.encode('secret'), `session-key:${utcDay(t0)}`);
    const expected = Buffer.from(await sign(dayKey, 'site:sid-12345678')).toString('base64url').slice(0, 22);
    expect(await pseudonymiseSession('secret', 'site', 'sid-12345678', t0)).toBe(expected);
  });

  it('uses UTC days regardless of the local time zone', () => {
    expect(utcDay(Date.UTC(2026, 0, 1, 23, 59))).toBe('2026-01-01');
    expect(utcDay(Date.UTC(2026, 0, 2, 0, 0))).toBe('2026-01-02');
  });

  it('refuses to run without a secret', async () => {
    await expect(pseudonymiseSession('', 'site', 'sid-12345678', t0)).rejects.toThrow(/SESSION_SECRET/);
  });
});
