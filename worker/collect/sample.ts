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

export function applySampling(sessionId: string, events: Event[], rates: Rates): Sampled {
  const keepMetrics = isSampled(sessionId, rates.metrics);
  const keepErrors = isSampled(sessionId, rates.errors);
  const kept: WeightedEvent[] = [];
  for (const event of events) {
    if (event.t === 'err') {
      if (keepErrors) kept.push({ ...event, w: 1 / rates.errors });
    } else if (keepMetrics) {
      kept.push({ ...event, w: 1 / rates.metrics });
    }
  }
  return { events: kept, pvWeight: keepMetrics ? 1 / rates.metrics : 0 };
}
