/**
 * Session ids are pseudonymised before anything is stored or enqueued: the
 * stored value is HMAC-SHA256(dayKey, site + ":" + sessionId), where dayKey is
 * itself derived from `SESSION_SECRET` and the UTC date. Sessions can be
 * linked within a day (what RUM needs) but not across days, and not at all
 * without the secret.
 *
 * @example
 * ```ts
 * const stored = await pseudonymiseSession(env.SESSION_SECRET, 'shop', sid, Date.now());
 * ```
 */
const encoder = new TextEncoder();
const dayKeys = new Map<string, Promise<CryptoKey>>();

/** UTC calendar day of an epoch-ms time, `YYYY-MM-DD`. */
export function utcDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

async function hmac(key: CryptoKey, message: string): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(message)));
}

function importKey(raw: BufferSource): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
}

/** The key for one UTC day: HMAC(secret, "session-key:" + day), cached per isolate. */
export function dayKey(secret: string, day: string): Promise<CryptoKey> {
  const cacheKey = `${day}\u0000${secret}`;
  let key = dayKeys.get(cacheKey);
  if (!key) {
    key = importKey(encoder.encode(secret)).then(async (root) => importKey(await hmac(root, `session-key:${day}`)));
    // Only a couple of days are ever live; drop older entries so the map stays small.
    if (dayKeys.size > 4) dayKeys.clear();
    dayKeys.set(cacheKey, key);
  }
  return key;
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The stored form of a session id: 22 base64url characters (132 bits). */
export async function pseudonymiseSession(
  secret: string,
  site: string,
  sessionId: string,
  epochMs: number,
): Promise<string> {
  if (!secret) throw new Error('SESSION_SECRET is not set');
  const key = await dayKey(secret, utcDay(epochMs));
  return base64url(await hmac(key, `${site}:${sessionId}`)).slice(0, 22);
}
