/**
 * Bearer-token guard for the query API. The comparison hashes both sides
 * first so it is constant-time whatever the lengths.
 */
import type { MiddlewareHandler } from 'hono';

const encoder = new TextEncoder();

async function sameSecret(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([
    crypto.subtle.digest('SHA-256', encoder.encode(given)),
    crypto.subtle.digest('SHA-256', encoder.encode(expected)),
  ]);
  // Workers' SubtleCrypto extension; the DOM typings shared with the SDK lack it.
  const subtle = crypto.subtle as SubtleCrypto & { timingSafeEqual(a: ArrayBuffer, b: ArrayBuffer): boolean };
  return subtle.timingSafeEqual(a, b);
}

export const bearerAuth: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  const expected = c.env.API_TOKEN;
  const header = c.req.header('Authorization') ?? '';
  const match = header.match(/^Bearer\s+(.+)$/i);
  if (!expected || !match || !(await sameSecret(match[1]!.trim(), expected))) {
    return c.json({ error: 'missing or wrong bearer token' }, 401, { 'WWW-Authenticate': 'Bearer realm="rum"' });
  }
  await next();
};
