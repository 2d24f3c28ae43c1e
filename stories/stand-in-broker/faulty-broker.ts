import type { Envelope } from '@qwik-realtime/core/protocol';
import type { Broker, BrokerPublish, BrokerPublishResult, BrokerUnsubscribe, HistoryQuery, HistoryResult } from '@qwik-realtime/server';
import { createMemoryBroker } from '@qwik-realtime/server';

/** Delivery faults a {@link FaultyBroker} can inject between the store and the hub. */
export interface DeliveryFaults {
  /** Hold every live message this long before the hub sees it, ms (0 = off). */
  delayMs: number;
  /** Hold every live message until stalling is turned off. */
  stalled: boolean;
  /**
   * Append every published message twice, as a publisher retry without an idempotency key does when the
   * first append's reply was lost: two offsets, the same message `id`. Neither the hub nor the client's
   * position check can drop the copy (its offset is new); only the client's dedup by id does.
   */
  duplicates: boolean;
}

/** A memory broker that can be restarted (new epoch, history gone) and made slow, stalled or repetitive. */
export interface FaultyBroker extends Broker {
  /** Epoch of the current memory broker. */
  readonly epoch: string;
  readonly faults: Readonly<DeliveryFaults>;
  /** Change delivery faults; turning `stalled` off flushes what was held, in order. */
  setFaults(faults: Partial<DeliveryFaults>): void;
  /** Replace the store by a fresh memory broker: history is lost and the epoch changes. */
  restart(): void;
  /** Counters for the control API. */
  stats(): { epoch: string; restarts: number; duplicatesInjected: number; held: number };
}

/** Suffix of the stored id of a retried append (see {@link DeliveryFaults.duplicates}). */
const RETRY_MARK = '~retried-append';

/** A stored message as readers see it: a retried append carries the id of the message it repeats. */
const originalOf = (message: Envelope): Envelope =>
  message.id.endsWith(RETRY_MARK) ? { ...message, id: message.id.slice(0, -RETRY_MARK.length) } : message;

interface Held {
  dueAt: number;
  message: Envelope;
  listener: (message: Envelope) => void;
}

/**
 * Wrap the hub's memory broker with fault injection, without touching the hub: the hub subscribes its
 * listeners here, and they are carried over to each new memory broker on {@link FaultyBroker.restart}.
 * @example
 * const broker = createFaultyBroker({ historySize: 5000 });
 * const hub = createHub({ broker });
 * broker.setFaults({ duplicates: true });
 */
export function createFaultyBroker(options: { historySize?: number } = {}): FaultyBroker {
  const makeInner = () => createMemoryBroker({ historySize: options.historySize ?? 5000 });
  let inner = makeInner();
  let restarts = 0;
  let duplicatesInjected = 0;
  const faults: DeliveryFaults = { delayMs: 0, stalled: false, duplicates: false };
  /** Hub listeners per topic, each with its unsubscribe from the current inner broker. */
  const listeners = new Map<string, Map<(message: Envelope) => void, BrokerUnsubscribe>>();
  const queue: Held[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastDueAt = 0;

  const flush = () => {
    timer = undefined;
    if (faults.stalled) return;
    const now = Date.now();
    while (queue.length > 0 && (queue[0] as Held).dueAt <= now) {
      const held = queue.shift() as Held;
      held.listener(held.message);
    }
    if (queue.length > 0) timer = setTimeout(flush, Math.max(0, (queue[0] as Held).dueAt - now));
  };

  const deliver = (listener: (message: Envelope) => void, message: Envelope) => {
    if (faults.delayMs === 0 && !faults.stalled && queue.length === 0) return listener(message);
    // Never let a shorter delay overtake messages already held: order per topic is the broker's promise.
    lastDueAt = Math.max(lastDueAt, Date.now() + faults.delayMs);
    queue.push({ dueAt: lastDueAt, message, listener });
    if (!faults.stalled && timer === undefined) timer = setTimeout(flush, Math.max(0, lastDueAt - Date.now()));
  };

  const attach = async (topic: string, listener: (message: Envelope) => void): Promise<BrokerUnsubscribe> =>
    inner.subscribe(topic, (message) => deliver(listener, originalOf(message)));

  return {
    get epoch() {
      return inner.epoch;
    },
    get faults() {
      return faults;
    },
    setFaults(next) {
      Object.assign(faults, next);
      if (!faults.stalled && queue.length > 0 && timer === undefined) flush();
    },
    restart() {
      const old = inner;
      inner = makeInner();
      restarts++;
      queue.length = 0;
      void old.close();
      for (const [topic, byListener] of listeners) {
        for (const listener of byListener.keys()) {
          void attach(topic, listener).then((unsubscribe) => {
            if (byListener.has(listener)) byListener.set(listener, unsubscribe);
            else void unsubscribe();
          });
        }
      }
    },
    stats() {
      return { epoch: inner.epoch, restarts, duplicatesInjected, held: queue.length };
    },
    async publish(topic: string, message: BrokerPublish): Promise<BrokerPublishResult> {
      const result = await inner.publish(topic, message);
      if (faults.duplicates && !result.duplicate) {
        // The retried append: stored under a marked id (the inner broker would refuse the same id as an
        // idempotent retry), read back everywhere with the original id.
        await inner.publish(topic, { ...message, id: `${message.id}${RETRY_MARK}` });
        duplicatesInjected++;
      }
      return result;
    },
    async subscribe(topic, listener) {
      let byListener = listeners.get(topic);
      if (!byListener) listeners.set(topic, (byListener = new Map()));
      const map = byListener;
      map.set(listener, await attach(topic, listener));
      return async () => {
        const unsubscribe = map.get(listener);
        map.delete(listener);
        if (map.size === 0) listeners.delete(topic);
        await unsubscribe?.();
      };
    },
    async history(topic: string, query: HistoryQuery): Promise<HistoryResult> {
      const result = await inner.history(topic, query);
      return { ...result, messages: result.messages.map(originalOf) };
    },
    async close() {
      if (timer !== undefined) clearTimeout(timer);
      queue.length = 0;
      listeners.clear();
      await inner.close();
    },
  };
}
