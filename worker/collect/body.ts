/**
 * Request-body checks that run before any parsing: media type, content
 * encoding and a byte cap counted while the body streams in.
 */

/** Largest accepted body: 64 KiB, the browsers' own keepalive/beacon budget. */
export const MAX_BODY_BYTES = 65_536;

const ACCEPTED_TYPES = new Set(['text/plain', 'application/json']);

/**
 * True when the Content-Type is `text/plain` (what `sendBeacon` sends for a
 * string) or `application/json`, compared case-insensitively and ignoring
 * parameters such as `charset` (RFC 9110 section 8.3.1).
 */
export function acceptedMediaType(contentType: string | null): boolean {
  if (!contentType) return false;
  const essence = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return ACCEPTED_TYPES.has(essence);
}

/** True when the body is not content-encoded (absent or `identity`). */
export function identityEncoding(contentEncoding: string | null): boolean {
  if (contentEncoding === null) return true;
  const codings = contentEncoding.split(',').map((c) => c.trim().toLowerCase()).filter(Boolean);
  return codings.every((c) => c === 'identity');
}

export type BodyResult = { ok: true; bytes: Uint8Array } | { ok: false; reason: 'too-large' };

/**
 * Reads at most `limit` bytes. Stops, cancels the stream and reports
 * `too-large` as soon as byte `limit + 1` arrives, so an oversized or
 * endless chunked body is never buffered.
 */
export async function readCapped(body: ReadableStream<Uint8Array> | null, limit = MAX_BODY_BYTES): Promise<BodyResult> {
  if (!body) return { ok: true, bytes: new Uint8Array(0) };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      return { ok: false, reason: 'too-large' };
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, bytes };
}
