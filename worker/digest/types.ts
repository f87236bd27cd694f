/**
 * What the queue consumer sends to the digest objects, and what the objects
 * answer to the query API.
 */
import type { MetricName } from '../schema/beacon.ts';

/** Dimensions kept as digests, besides `all`. */
export const DIMENSIONS = ['country', 'continent', 'device', 'browser', 'os', 'connection'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface DigestBeacon {
  /** Beacon id: an object ingests each beacon once. */
  bid: string;
  /** Receive time, epoch ms. */
  ts: number;
  dims: Record<Dimension, string>;
  /** Metric values with their weights. */
  values: { n: MetricName; v: number; w: number }[];
}

export interface SeriesQuery {
  metric: MetricName;
  from: number;
  to: number;
  /** Bucket width in ms, a whole number of hours. */
  interval: number;
  /** Quantiles in [0, 1]. */
  qs: number[];
  /** `all`, or a dimension to group by. */
  by: 'all' | Dimension;
}

export interface SeriesRow {
  time: number;
  group: string;
  count: number;
  values: number[];
}

export interface GroupQuery {
  metric: MetricName;
  from: number;
  to: number;
  by: 'all' | Dimension;
  /** Good and poor thresholds of the metric. */
  thresholds: readonly [number, number];
}

export interface GroupRow {
  group: string;
  count: number;
  p75: number;
  good: number;
  needsImprovement: number;
  poor: number;
}

export const HOUR = 3_600_000;
export const DAY = 86_400_000;
