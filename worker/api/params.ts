/**
 * Query-string parameters of the API, validated with zod. Times are epoch
 * milliseconds (what Grafana's `${__timeFrom}` gives) or ISO 8601 strings;
 * ranges resolve to whole UTC hours.
 */
import * as z from 'zod';
import { METRIC_NAMES } from '../schema/beacon.ts';
import { DAY, DIMENSIONS, HOUR } from '../digest/types.ts';

/** Most time buckets one series request may produce. */
export const MAX_BUCKETS = 5_000;
const MAX_RANGE = 800 * DAY;

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

const time = z
  .union([z.string(), z.number()])
  .transform((raw, ctx) => {
    const text = String(raw).trim();
    // Epoch ms, or an ISO 8601 date/time: Date.parse alone also takes "-5" or "1.5" as dates.
    const value = /^\d+$/.test(text) ? Number(text) : ISO_8601.test(text) ? Date.parse(text) : Number.NaN;
    if (!Number.isFinite(value) || value < 0 || value > 8.64e15) {
      ctx.addIssue({ code: 'custom', message: `not a time: ${text.slice(0, 40)} (epoch ms or ISO 8601)` });
      return z.NEVER;
    }
    return value;
  });

/** `1h`, `6h`, `1d`, `90m`, or milliseconds; rounded up to whole hours. */
const interval = z
  .string()
  .trim()
  .transform((raw, ctx) => {
    const match = raw.match(/^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)?$/);
    const unit = { ms: 1, s: 1e3, m: 60e3, h: HOUR, d: DAY, w: 7 * DAY }[(match?.[2] ?? 'ms') as 'ms'];
    const ms = match ? Number(match[1]) * unit : Number.NaN;
    if (!(ms > 0) || ms > MAX_RANGE) {
      ctx.addIssue({ code: 'custom', message: `not an interval: ${raw.slice(0, 20)} (1h to 800d, e.g. 1h, 1d, or milliseconds)` });
      return z.NEVER;
    }
    return Math.ceil(ms / HOUR) * HOUR;
  });

const optionalRoute = z
  .string()
  .max(256)
  .optional()
  .transform((r) => (r ? r : undefined));

const base = z.object({
  site: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'site is required: 1-64 of [a-z0-9._-]'),
  from: time.optional(),
  to: time.optional(),
  route: optionalRoute,
});

/** Applies defaults (last 24 hours), hour alignment and range checks. */
function withRange<T extends { from?: number; to?: number }>(value: T, ctx: z.RefinementCtx) {
  const to = value.to ?? Date.now();
  const from = value.from ?? to - DAY;
  if (from > to) ctx.addIssue({ code: 'custom', message: '`from` is after `to`', path: ['from'] });
  if (to - from > MAX_RANGE) ctx.addIssue({ code: 'custom', message: 'range longer than 800 days', path: ['to'] });
  return { ...value, from: Math.floor(from / HOUR) * HOUR, to };
}

export const metric = z.enum(METRIC_NAMES, { message: `metric must be one of ${METRIC_NAMES.join(', ')}` });
const digestDimension = z.enum(DIMENSIONS, { message: `by must be one of ${DIMENSIONS.join(', ')}` });

const quantiles = z
  .string()
  .default('50,75,95,99')
  .transform((raw, ctx) => {
    const parts = raw.split(',').map((s) => s.trim()).filter(Boolean);
    const values = parts.map(Number);
    if (parts.length === 0 || parts.length > 10 || values.some((q) => !Number.isFinite(q) || q < 0 || q > 100)) {
      ctx.addIssue({ code: 'custom', message: 'q must be 1-10 comma-separated percentiles between 0 and 100' });
      return z.NEVER;
    }
    return parts.map((text, i) => ({ column: `p${text}`, q: values[i]! / 100 }));
  });

export const RangeQuery = base.transform(withRange);

export const PercentilesQuery = base
  .extend({ metric, interval: interval.default(HOUR), q: quantiles, by: digestDimension.optional() })
  .transform(withRange)
  .superRefine((value, ctx) => {
    const buckets = Math.ceil((value.to - value.from) / value.interval);
    if (buckets > MAX_BUCKETS) {
      ctx.addIssue({ code: 'custom', message: `interval gives ${buckets} buckets; at most ${MAX_BUCKETS}`, path: ['interval'] });
    }
  });

export const BreakdownQuery = base.extend({ metric, by: digestDimension }).transform(withRange);

export const ErrorsQuery = base
  .extend({ limit: z.coerce.number().int().min(1).max(500).default(50) })
  .transform(withRange);

/** First issue of a failed parse, as one readable line. */
export function reason(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}
