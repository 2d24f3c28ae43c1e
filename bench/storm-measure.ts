/** Figures of one reconnect storm from the clients' records (see storm-crowd.ts). */
import type { StormClient } from './storm-crowd.js';

/** p-th percentile (0..100) of `values`, ms rounded; null when empty. */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);
}

/** The fullest 100 ms window (counted from `from`) of `times`: its share of all of them, % with one decimal. */
export function peakWindow(times: number[], from: number): { peakPercent: number | null; peakCount: number; windows: number } {
  if (times.length === 0) return { peakPercent: null, peakCount: 0, windows: 0 };
  const buckets = new Map<number, number>();
  for (const t of times) {
    const bucket = Math.floor((t - from) / 100);
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + 1);
  }
  const peakCount = Math.max(...buckets.values());
  return { peakPercent: Math.round((peakCount / times.length) * 1000) / 10, peakCount, windows: buckets.size };
}

/** A client is live again once every topic was (re)subscribed after `from`: that time, or undefined. */
export function liveAgainAt(record: StormClient, from: number): number | undefined {
  let latest = 0;
  for (const times of record.subscribed.values()) {
    const first = times.find((t) => t > from);
    if (first === undefined) return undefined;
    latest = Math.max(latest, first);
  }
  return record.client.getState().status === 'open' ? latest : undefined;
}

/**
 * Live without ever dropping: a long-poll client between two polls when its hub drained sends its next poll
 * (cursor included) to the new hub and simply goes on; no reconnect, no re-subscription.
 */
export function seamless(record: StormClient, from: number): boolean {
  return !record.closes.some((t) => t > from) && record.client.getState().status === 'open';
}

/** Live again after `from`, one way or the other. */
export const isLiveAgain = (record: StormClient, from: number): boolean => seamless(record, from) || liveAgainAt(record, from) !== undefined;

/** Time to live again, the reconnect spread and the retries of every client after a restart at `restartAt`. */
export function stormFigures(crowd: StormClient[], restartAt: number, droppedAt: number) {
  // Times only for the clients that dropped; the seamless ones are counted apart.
  const live = crowd.map((record) => (seamless(record, droppedAt) ? undefined : liveAgainAt(record, droppedAt)));
  const ttl = live.filter((t): t is number => t !== undefined).map((t) => t - restartAt);
  // The reconnect that landed: each client's first open after the drop (a handshake plus a replay on the hub).
  const reconnects = crowd.map((record) => record.opens.find((t) => t > droppedAt)).filter((t): t is number => t !== undefined);
  const attempts = crowd.flatMap((record) => record.attempts.filter((t) => t > droppedAt));
  const byTransport: Record<string, number | null> = {};
  for (const transport of new Set(crowd.map((record) => record.transport))) {
    const times = crowd.flatMap((record, i) => (record.transport === transport && live[i] !== undefined ? [live[i]! - restartAt] : []));
    byTransport[transport] = percentile(times, 99);
  }
  // What the retry algorithm chose (each client's first planned attempt after the drop), free of the lag of
  // this one process hosting every client: a stalled loop fires timers due over its stall all at once.
  const planned = crowd.map((record) => record.planned.find((t) => t >= droppedAt - 1)).filter((t): t is number => t !== undefined);
  const plannedSpread = peakWindow(planned, droppedAt);
  const spread = peakWindow(reconnects, restartAt);
  const attemptSpread = peakWindow(attempts, droppedAt);
  return {
    clients: crowd.length,
    liveAgain: ttl.length + crowd.filter((record) => seamless(record, droppedAt)).length,
    seamless: crowd.filter((record) => seamless(record, droppedAt)).length,
    timeToLiveMs: { p50: percentile(ttl, 50), p99: percentile(ttl, 99), max: percentile(ttl, 100) },
    timeToLiveP99MsByTransport: byTransport,
    reconnectPeak100msPercent: spread.peakPercent,
    reconnectPeak100msCount: spread.peakCount,
    reconnectWindows100ms: spread.windows,
    plannedPeak100msPercent: plannedSpread.peakPercent,
    attempts: attempts.length,
    attemptPeak100msPercent: attemptSpread.peakPercent,
    tryAgainLater: crowd.reduce((sum, record) => sum + record.tryAgainLater, 0),
    recoveredFalse: crowd.reduce((sum, record) => sum + record.recoveredFalse, 0),
  };
}
