/**
 * Privacy defaults for URLs: the SDK sends paths, never fragments, and no
 * query parameter outside the allow-list (`utm_*` by default); e-mail
 * addresses and runs of 6+ digits (phone, card, account numbers) are masked.
 *
 * @example
 * ```ts
 * scrubPath('/u/jane@example.com/orders/12345678'); // '/u/:email/orders/:num'
 * keptQuery('?utm_source=mail&token=abc', ['utm_*']); // 'utm_source=mail'
 * ```
 */

/** The path with every segment holding an `@` replaced by `:email` and runs of 6+ digits by `:num`. */
export const scrubPath = (path: string): string =>
  path.replace(/[^/]*(@|%40)[^/]*/gi, ':email').replace(/\d{6,}/g, ':num');

/** A URL or path without its query string and fragment, masked like a path. */
export const scrubUrl = (url: string): string => scrubPath(url.replace(/[?#].*/s, ''));

/**
 * Free text that may hold URLs (error messages, stacks): query strings and
 * fragments after a URL removed, e-mail addresses masked, and runs of 6+
 * digits masked where they end a path segment (`/orders/12345678/` or
 * `/orders/12345678:10:5` in a stack frame), so line and column numbers
 * (`app.js:1:123456`) stay as they are. `#418` in a message is kept: only
 * what follows a URL is cut.
 */
export const scrubText = (text: string): string =>
  text
    .replace(/(\/\/[^\s?#)]*)[?#][^\s):]*/g, '$1')
    .replace(/[\w.+-]+(@|%40)[\w-]+\.[\w.-]*\w/g, ':email')
    .replace(/\d{6,}(?=\/|:\d+:\d+)/g, ':num');

/** Allow-listed parameters of `search` as a query string without `?`; a trailing `*` matches a prefix. */
export const keptQuery = (search: string, allow: string[]): string =>
  scrubPath(
    new URLSearchParams(
      [...new URLSearchParams(search)].filter(([name]) =>
        allow.some((a) => a == name || (a.endsWith('*') && name.startsWith(a.slice(0, -1)))),
      ),
    ) + '',
  );
