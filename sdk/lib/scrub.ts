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

/** Allow-listed parameters of `search` as a query string without `?`; a trailing `*` matches a prefix. */
export const keptQuery = (search: string, allow: string[]): string =>
  scrubPath(
    new URLSearchParams(
      [...new URLSearchParams(search)].filter(([name]) =>
        allow.some((a) => a == name || (a.endsWith('*') && name.startsWith(a.slice(0, -1)))),
      ),
    ) + '',
  );
