/**
 * Splits one page view's events into request bodies of at most `maxBytes`
 * UTF-8 bytes and `maxEvents` events each, never dropping one: every body is
 * `head()` (the beacon without its events, a fresh beacon id each call)
 * followed by `"e":[...]}`.
 *
 * @example
 * ```ts
 * split(events, () => '{"v":1,"bid":"' + hex(16) + '"'); // ['{"v":1,"bid":"…","e":[…]}', …]
 * ```
 */
import type { Event } from '../types.ts';

/** UTF-8 length of a string. */
export const byteLength = (s: string): number => new Blob([s]).size;

export const split = (events: Event[], head: () => string, maxBytes = 6e4, maxEvents = 100): string[] => {
  const bodies: string[] = [];
  let body = '';
  let bytes = 0;
  let count = 0;
  for (const event of events) {
    const json = JSON.stringify(event);
    const size = byteLength(json) + 1;
    if (count && (count == maxEvents || bytes + size + 2 > maxBytes)) {
      bodies.push(body + ']}');
      count = 0;
    }
    if (!count) {
      body = head() + ',"e":[';
      bytes = byteLength(body);
    }
    body += (count++ ? ',' : '') + json;
    bytes += size;
  }
  if (count) bodies.push(body + ']}');
  return bodies;
};
