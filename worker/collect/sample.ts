/**
 * Server-side sampling: re-applies the SDK's deterministic rule on the raw
 * session id (authoritative: an SDK configured with a higher rate cannot
 * over-report) and gives every kept event its weight, 1 / rate of its class,
 * so counts and percentiles stay unbiased. Errors have a rate of their own.
 */
import { isSampled } from '../../sdk/lib/sampling.ts';
import type { Event } from '../schema/beacon.ts';
import type { WeightedEvent } from '../schema/enriched.ts';

export interface Rates {
  /** Rate for page views, vitals, navigation timing and custom events. */
  metrics: number;
  errors: number;
}

/** A rate from a configuration string, clamped to [0, 1]; `fallback` when unset or unreadable. */
export function parseRate(value: string | undefined, fallback = 1): number {
  if (value === undefined || value.trim() === '') return fallback;
  const rate = Number(value);
  if (!Number.isFinite(rate)) return fallback;
  return Math.min(1, Math.max(0, rate));
}

export interface Sampled {
  events: WeightedEvent[];
  /** Weight of the page view, 0 when the session is outside the metrics sample. */
  pvWeight: number;
}

/**
 * Lowest SDK rate a beacon's weight honours: a client cannot claim a rarer
 * sample than 1 in 1,000 to multiply what its beacons count for.
 */
export const MIN_SDK_RATE = 0.001;

/**
 * Keeps the events of a sampled session, each weighted 1 / the rate its
 * class was sampled at. The SDK sent only sessions below its own rate (`sr`)
 * and the Worker keeps those below its own, with the same hash: a class was
 * sampled at the smaller of the two. A beacon from a session outside the
 * SDK's rate was not sent by an SDK so configured, and is dropped whole.
 */
export function applySampling(sessionId: string, events: Event[], rates: Rates, sdkRate = 1): Sampled {
  const sdk = Math.max(MIN_SDK_RATE, sdkRate);
  if (!isSampled(sessionId, sdkRate)) return { events: [], pvWeight: 0 };
  const metrics = Math.min(sdk, rates.metrics);
  const errors = Math.min(sdk, rates.errors);
  const keepMetrics = isSampled(sessionId, metrics);
  const keepErrors = isSampled(sessionId, errors);
  const kept: WeightedEvent[] = [];
  for (const event of events) {
    if (event.t === 'err') {
      if (keepErrors) kept.push({ ...event, w: 1 / errors });
    } else if (keepMetrics) {
      kept.push({ ...event, w: 1 / metrics });
    }
  }
  return { events: kept, pvWeight: keepMetrics ? 1 / metrics : 0 };
}
