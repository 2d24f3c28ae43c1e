import { encodeCursor } from '../protocol/cursor.js';
import { MAX_ANNOUNCED_MS } from '../protocol/frames.js';
import type { Positions } from '../protocol/cursor.js';
import type { TopicRequest } from '../transport.js';

/** Query string for the HTTP transports: `topic=a&topic=b&{cursorParam}=CURSOR&history=N`. */
export function topicQuery(topics: TopicRequest[], cursorParam: string): URLSearchParams {
  const query = new URLSearchParams();
  // Null prototype: topics named `__proto__` or `constructor` are plain keys here.
  const positions: Positions = Object.create(null) as Positions;
  let history = 0;
  let resume = false;
  for (const { topic, since, history: last } of topics) {
    query.append('topic', topic);
    // A position a server sent with an offset that is no integer (`{"toString":1}`) cannot be encoded: encoding
    // it threw out of `connect` (an unhandled rejection). Such a topic is asked for without a position.
    if (since && Number.isSafeInteger(since.offset) && typeof since.epoch == 'string') {
      positions[topic] = since;
      resume = true;
    } else if (last) history = Math.max(history, last);
  }
  if (resume) query.set(cursorParam, encodeCursor(positions));
  if (history) query.set('history', String(history));
  return query;
}

/** Parse JSON without throwing. */
export function parseJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/**
 * A duration the server announced (`heartbeatMs`, `retryAfterMs`, `reconnectWithinMs`), ms: a number >= 0,
 * at most {@link MAX_ANNOUNCED_MS}; anything else is `undefined`. Timers hold at most 2^31 - 1 ms and fire
 * at once past it, so an absurd announcement (1e12, or `1e400`, which JSON reads as Infinity) would turn a
 * long wait into a reconnect or watchdog loop.
 */
export function serverMs(value: unknown): number | undefined {
  return typeof value === 'number' && value >= 0 ? Math.min(value, MAX_ANNOUNCED_MS) : undefined;
}

/** The `reconnectWithinMs` of a drain announcement (WS frame, SSE event data, poll answer), if valid. */
export function reconnectWindow(announcement: unknown): number | undefined {
  return serverMs((announcement as { reconnectWithinMs?: unknown } | undefined)?.reconnectWithinMs);
}
