/**
 * Transport: `navigator.sendBeacon` first (queued by the browser, survives
 * unload), `fetch(..., {keepalive: true})` when it is missing or refuses.
 * Browsers allow 64 KiB of keepalive and beacon bodies in flight together
 * (https://fetch.spec.whatwg.org/#http-network-or-cache-fetch, "inflight
 * keepalive bytes"); we keep our own total under 60,000 bytes and send what
 * does not fit as an ordinary fetch, which completes while the page lives,
 * instead of dropping it. A beacon's completion cannot be observed, so its
 * bytes count as in flight for 10 s. Failed fetches (network error, 429, 5xx)
 * are retried with backoff while the page lives; the collector dedupes on the
 * beacon id, so a retry never double-counts.
 */
import { byteLength } from './split.ts';

export const transport = (url: string, post = fetch) => {
  let inflight = 0;
  const send = (body: string, tries = 0): void => {
    const size = byteLength(body);
    // At most 60,000 bytes of keepalive requests in flight at once.
    const keepalive = inflight + size <= 6e4;
    const done = () => (inflight -= keepalive ? size : 0);
    if (keepalive) inflight += size;
    if (keepalive && !tries && navigator.sendBeacon?.(url, body)) setTimeout(done, 1e4);
    else
      post(url, { method: 'POST', body, keepalive })
        .then((r) => {
          if (r.status > 499 || r.status == 429) throw r;
        })
        .catch(() => tries < 8 && setTimeout(send, 500 << tries, body, tries + 1))
        .finally(done);
  };
  return send;
};
