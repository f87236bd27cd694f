/**
 * Core Web Vitals thresholds (web.dev): a value is good up to the first
 * threshold and poor above the second.
 */
import type { MetricName } from '../schema/beacon.ts';

export type Rating = 'good' | 'needs-improvement' | 'poor';

export const THRESHOLDS: Record<MetricName, readonly [good: number, poor: number]> = {
  LCP: [2500, 4000],
  INP: [200, 500],
  CLS: [0.1, 0.25],
  FCP: [1800, 3000],
  TTFB: [800, 1800],
};

export function rate(metric: MetricName, value: number): Rating {
  const [good, poor] = THRESHOLDS[metric];
  return value <= good ? 'good' : value <= poor ? 'needs-improvement' : 'poor';
}
