import type { EnrichedBeacon } from '../../worker/schema/enriched.ts';

let currentLogs: string[] = [];
for (const level of ['log', 'info', 'warn', 'error'] as const) {
  const original = console[level].bind(console);
  console[level] = (...args: unknown[]) => {
    currentLogs.push(args.map(String).join(' '));
    original(...args);
  };
}

export interface Recorded {
  messages: EnrichedBeacon[];
  points: AnalyticsEngineDataPoint[];
  logs: string[];
}

/**
 * The real bindings, observed: queue sends and Analytics Engine writes are
 * recorded, then passed on to the real local Queue and dataset. Console
 * output is captured too, to prove nothing sensitive is logged.
 */
export function recordingEnv(base: Env, vars: Partial<Env> = {}): { env: Env; recorded: Recorded } {
  const recorded: Recorded = { messages: [], points: [], logs: [] };
  const queue = base.BEACONS;
  const dataset = base.RUM_AE;
  const env: Env = {
    ...base,
    ...vars,
    BEACONS: {
      send: async (body: EnrichedBeacon, options?: QueueSendOptions) => {
        recorded.messages.push(structuredClone(body));
        return queue.send(body, options);
      },
      sendBatch: async (messages: Iterable<MessageSendRequest<EnrichedBeacon>>, options?: QueueSendBatchOptions) => {
        for (const m of messages) recorded.messages.push(structuredClone(m.body));
        return queue.sendBatch(messages, options);
      },
    } as Queue,
    RUM_AE: {
      writeDataPoint(point?: AnalyticsEngineDataPoint) {
        if (point) recorded.points.push(point);
        dataset.writeDataPoint(point);
      },
    },
  };
  currentLogs = recorded.logs;
  return { env, recorded };
}

export async function countRows(db: D1Database): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of ['beacons', 'page_views', 'metric_events', 'nav_timings', 'errors', 'custom_events']) {
    counts[table] = (await db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).first<{ n: number }>())!.n;
  }
  return counts;
}
