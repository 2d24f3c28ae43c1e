/** Figures of one reconnect storm from the clients' records (see storm-crowd.ts). */
import type { StormRecord } from './storm-crowd.js';

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
export function liveAgainAt(record: StormRecord, from: number): number | undefined {
  let latest = 0;
  for (const times of Object.values(record.subscribed)) {
    const first = times.find((t) => t > from);
    if (first === undefined) return undefined;
    latest = Math.max(latest, first);
  }
  return record.status === 'open' ? latest : undefined;
}

/**
 * Live without ever dropping: a long-poll client between two polls when its hub drained sends its next poll
 * (cursor included) to the new hub and simply goes on; no reconnect, no re-subscription.
 */
export function seamless(record: StormRecord, from: number): boolean {
  return !record.closes.some((t) => t > from) && record.status === 'open';
}

/** Live again after `from`, one way or the other. */
export const isLiveAgain = (record: StormRecord, from: number): boolean => seamless(record, from) || liveAgainAt(record, from) !== undefined;

/** Reconnects per 100 ms from `from` (the first bucket also holds the few that landed just before it). */
export function histogram100ms(times: number[], from: number): number[] {
  const counts: number[] = [];
  for (const t of times) {
    const bucket = Math.max(0, Math.floor((t - from) / 100));
    while (counts.length <= bucket) counts.push(0);
    counts[bucket]!++;
  }
  return counts;
}

/**
 * Where each dropped client's time to live again went, p50 / p99 ms: the delay its retry algorithm chose
 * (first planned attempt minus the close), how late the timer fired (attempt minus plan: the load process's
 * lag), failed attempts before the one that opened, that attempt's handshake (attempt to open) and the
 * re-subscription (open to every topic live).
 */
export function phases(crowd: StormRecord[], droppedAt: number) {
  const chosen: number[] = [];
  const timerLag: number[] = [];
  const failedAttempts: number[] = [];
  const handshake: number[] = [];
  const resubscribe: number[] = [];
  for (const record of crowd) {
    const close = record.closes.find((t) => t > droppedAt);
    const open = record.opens.find((t) => t > droppedAt);
    const live = liveAgainAt(record, droppedAt);
    if (close === undefined || open === undefined || live === undefined) continue;
    const planned = record.planned.find((t) => t >= close - 1);
    const attempts = record.attempts.filter((t) => t > close && t <= open);
    if (planned !== undefined) chosen.push(planned - close);
    if (planned !== undefined && attempts.length) timerLag.push(attempts[0]! - planned);
    failedAttempts.push(Math.max(0, attempts.length - 1));
    if (attempts.length) handshake.push(open - attempts[attempts.length - 1]!);
    resubscribe.push(live - open);
  }
  const both = (values: number[]) => ({ p50: percentile(values, 50), p99: percentile(values, 99) });
  return { chosenDelay: both(chosen), timerLag: both(timerLag), failedAttempts: both(failedAttempts), handshake: both(handshake), resubscribe: both(resubscribe) };
}

/**
 * WebSocket attempts against the upgrades the new hub saw, matched in order (the k-th attempt after the drop with
 * the k-th upgrade): p50 / p99 ms of how long a connection waited before the hub read it (kernel accept queue,
 * a busy hub loop) and of upgrade to open (the hub's handshake and `hello`, and the load process reading it).
 */
export function webSocketQueueing(crowd: StormRecord[], upgrades: number[], droppedAt: number) {
  const ws = crowd.filter((record) => record.transport === 'websocket');
  const attempts = ws.flatMap((record) => record.attempts.filter((t) => t > droppedAt)).sort((a, b) => a - b);
  const opens = ws.flatMap((record) => record.opens.filter((t) => t > droppedAt)).sort((a, b) => a - b);
  const seen = upgrades.filter((t) => t > droppedAt).sort((a, b) => a - b);
  const gaps = (from: number[], to: number[]) => to.slice(0, from.length).map((t, k) => t - from[k]!);
  const both = (values: number[]) => ({ p50: percentile(values, 50), p99: percentile(values, 99) });
  // Per client: its attempt to its own socket's `connect` event (a loopback TCP handshake is sub-millisecond in
  // the kernel; what is left is the load process getting round to the event).
  const tcp = ws.flatMap((record) =>
    record.attempts.filter((t) => t > droppedAt).flatMap((attempt) => {
      const connected = record.tcpConnects.find((t) => t >= attempt);
      return connected === undefined ? [] : [connected - attempt];
    }),
  );
  return { attemptToClientTcpConnect: both(tcp), attemptToUpgrade: both(gaps(attempts, seen)), upgradeToOpen: both(gaps(seen, opens)), upgrades: seen.length, attempts: attempts.length };
}

/** Time to live again, the reconnect spread and the retries of every client after a restart at `restartAt`. */
export function stormFigures(crowd: StormRecord[], restartAt: number, droppedAt: number) {
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
  // the load processes: a stalled loop fires timers due over its stall all at once.
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
    phasesMs: phases(crowd, droppedAt),
    reconnectPeak100msPercent: spread.peakPercent,
    reconnectPeak100msCount: spread.peakCount,
    reconnectWindows100ms: spread.windows,
    reconnectHistogram100ms: histogram100ms(reconnects, restartAt),
    plannedPeak100msPercent: plannedSpread.peakPercent,
    attempts: attempts.length,
    attemptPeak100msPercent: attemptSpread.peakPercent,
    // Only the storm's: the crowd's first connect to the old hub may be refused too.
    tryAgainLater: crowd.reduce((sum, record) => sum + record.tryAgainLater.filter((t) => t > droppedAt).length, 0),
    recoveredFalse: crowd.reduce((sum, record) => sum + record.recoveredFalse, 0),
  };
}
