/**
 * Opt-in W3C Trace Context (https://www.w3.org/TR/trace-context/): a
 * `traceparent` header on same-origin fetch and XMLHttpRequest calls, so a
 * backend span can be joined to the page view whose `pv.trace` holds the same
 * trace id. Cross-origin requests are left alone: a custom header would turn
 * them into CORS preflights. XHR gets the header right after `open()`, the
 * earliest moment `setRequestHeader` is allowed.
 */
import { hex } from './ids.ts';

/** `url` resolves to this page's origin (throws on an unparsable URL). */
// `location` stringifies to its href.
const sameOrigin = (url: string | URL) => new URL(url, location as unknown as URL).origin == location.origin;

/** Patches fetch and XHR; `traceId()` gives the current page view's trace id. */
export const onTrace = (traceId: () => string | undefined): void => {
  const header = () => '00-' + traceId() + '-' + hex(8) + '-01';
  const original = fetch;
  window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    try {
      if (sameOrigin((input as Request).url || (input as string))) {
        const headers = new Headers(init?.headers || (input as Request).headers);
        headers.set('traceparent', header());
        init = { ...init, headers };
      }
    } catch {
      // An unparsable URL: let fetch report it as it would have.
    }
    return original(input, init);
  };
  const proto = XMLHttpRequest.prototype;
  const open = proto.open;
  proto.open = function (this: XMLHttpRequest, _method: string, url: string | URL) {
    open.apply(this, arguments as unknown as Parameters<typeof open>);
    try {
      if (sameOrigin(url)) this.setRequestHeader('traceparent', header());
    } catch {
      // As above: the request itself will fail the way it always did.
    }
  };
};
