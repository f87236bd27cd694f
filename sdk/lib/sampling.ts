/**
 * Deterministic sampling on the session id, shared by the SDK and the Worker
 * so both make the same decision for the same session: a session is either
 * wholly in the sample or wholly out, and the Worker can re-apply the rule
 * authoritatively.
 *
 * @example
 * ```ts
 * if (isSampled(sessionId, 0.25)) send(beacon);
 * ```
 */

/** FNV-1a (32-bit) of the id, mapped to [0, 1). */
export const sampleBucket = (sessionId: string): number => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < sessionId.length; ) hash = Math.imul(hash ^ sessionId.charCodeAt(i++), 0x01000193);
  return (hash >>> 0) / 4294967296;
};

/**
 * True when the session falls inside a sample of the given rate (0..1). The
 * bucket is in [0, 1), so a rate of 1 or more keeps every session and 0, a
 * negative rate or NaN keeps none, without a special case for either.
 */
export const isSampled = (sessionId: string, rate: number): boolean => sampleBucket(sessionId) < rate;
