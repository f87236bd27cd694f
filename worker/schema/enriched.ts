/**
 * What the collector puts on the queue: the validated beacon after
 * anonymisation, sampling and enrichment. Nothing here can identify a visitor:
 * the session id is a daily-keyed HMAC and the IP is a truncated prefix.
 */
import type { Beacon, Event } from './beacon.ts';

export interface Geo {
  /** ISO 3166-1 alpha-2, `XX` when unknown, `T1` for Tor. */
  country: string;
  /** Two-letter continent code (`EU`, `NA`, ...), `XX` when unknown. */
  continent: string;
  /** Cloudflare data centre (IATA code) that received the beacon. */
  colo: string;
}

export interface Agent {
  /** Browser family (`Chrome`, `Safari`, ...). */
  browser: string;
  /** Browser major version, 0 when unknown. */
  browserVersion: number;
  os: string;
  /** `desktop`, `mobile`, `tablet`, `tv` or `other`. */
  device: string;
}

/** An event with the weight it stands for (1 / sample rate of its class). */
export type WeightedEvent = Event & { w: number };

export interface EnrichedBeacon {
  v: 1;
  bid: string;
  site: string;
  /** HMAC of the session id under the day's key; never the raw id. */
  session: string;
  /** Server receive time, epoch ms (UTC). */
  ts: number;
  pv: Beacon['pv'];
  /** Page-view weight (1 / SAMPLE_RATE); 0 when only errors were kept. */
  pvWeight: number;
  ctx: NonNullable<Beacon['ctx']>;
  geo: Geo;
  agent: Agent;
  /** /24 (IPv4) or /48 (IPv6) prefix in CIDR form, or null. */
  ipPrefix: string | null;
  events: WeightedEvent[];
}
