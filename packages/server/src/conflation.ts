import type { Envelope } from '@qwik-realtime/core/protocol';
import { createOutbound } from './outbound.js';
import type { Outbound } from './outbound.js';

/** What {@link createConflation} needs from its session. */
export interface ConflationOptions {
  /** The hub's `conflate` option: topics whose latest value is all that matters. */
  conflate: (topic: string) => boolean;
  /** True while the connection is backed up (more than half of `maxBufferedBytes` waiting). */
  pressure: () => boolean;
  /** Write a message to the connection (the session's normal path). */
  write: (topic: string, outbound: Outbound) => void;
  /** How often a backed-up connection is checked for room. @default 10 */
  checkMs?: number;
}

/** Per-connection conflation of slow consumers (see {@link createConflation}). */
export interface Conflation {
  /** Keep `outbound` back instead of writing it; false when it should be written now. */
  hold(topic: string, outbound: Outbound): boolean;
  stop(): void;
}

/**
 * Conflation for one connection. While the connection is backed up, a message on a conflated topic is held
 * instead of written, and a newer one on that topic replaces it (the older one is dropped, for this
 * connection only). When there is room again, the held message is written; if any were dropped before it,
 * it carries `conflated: <count>` (built for this connection; the shared bytes stay untouched). Other topics
 * are not held: they fill the buffer and the connection is cut with `slow_consumer`, then resumes from
 * history. At most one message per conflated topic is held, so a stalled reader costs bounded memory.
 */
export function createConflation(options: ConflationOptions): Conflation {
  const decided = new Map<string, boolean>();
  const held = new Map<string, { outbound: Outbound; dropped: number }>();
  let timer: ReturnType<typeof setTimeout> | undefined;

  const isConflated = (topic: string) => {
    let answer = decided.get(topic);
    if (answer === undefined) decided.set(topic, (answer = options.conflate(topic)));
    return answer;
  };

  const drain = () => {
    timer = undefined;
    if (options.pressure()) return schedule();
    const ready = [...held];
    held.clear();
    for (const [topic, { outbound, dropped }] of ready) {
      const message: Envelope = dropped ? { ...outbound.message, conflated: dropped } : outbound.message;
      options.write(topic, dropped ? createOutbound(message) : outbound);
    }
  };

  const schedule = () => {
    timer ??= setTimeout(drain, options.checkMs ?? 10);
  };

  return {
    hold(topic, outbound) {
      if (!isConflated(topic)) return false;
      const previous = held.get(topic);
      if (previous && !options.pressure()) {
        // Room again before the check ran: write what is held, then this one, in order.
        if (timer) clearTimeout(timer);
        drain();
        return false;
      }
      if (previous) {
        previous.outbound = outbound;
        previous.dropped++;
        return true;
      }
      if (!options.pressure()) return false;
      held.set(topic, { outbound, dropped: 0 });
      schedule();
      return true;
    },
    stop() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      held.clear();
    },
  };
}
