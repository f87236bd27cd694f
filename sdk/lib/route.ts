/**
 * Route normalisation: path segments that identify one record rather than a
 * page (numbers, UUIDs, hex hashes of 8+ characters with a digit, masked
 * numbers) become `:id`, so `/product/123` and `/product/456` are one route.
 * The collector applies it to every page view whose route hook gave no
 * answer (the script does not carry it); the module exports it for hooks
 * that refine the default.
 *
 * @example
 * ```ts
 * normaliseRoute('/order/3f9a2b1c7d/items/42'); // '/order/:id/items/:id'
 * ```
 */
export const normaliseRoute = (path: string): string =>
  path.replace(
    /\/(\d+|:num|[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}|(?=[a-z]*\d)[\da-f]{8,})(?=\/|$)/gi,
    '/:id',
  );
