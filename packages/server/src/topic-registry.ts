import type { Envelope } from '@qwik-realtime/core/protocol';
import type { Broker, BrokerUnsubscribe } from './broker.js';
import { RealtimeError } from './errors.js';
import { createOutbound } from './outbound.js';
import type { Outbound } from './outbound.js';

/** Receives every live message of a topic, already wrapped for fan-out. */
export type TopicListener = (outbound: Outbound) => void;

/**
 * One broker subscription per topic per process, shared by every local listener (ref-counted): the broker
 * sees one subscriber however many connections watch a topic.
 */
export interface TopicRegistry {
  /**
   * Add a listener. It receives messages as soon as the broker subscription is live; the promise resolves
   * then (so a history read started afterwards cannot miss a message). Resolves to the release function.
   */
  listen(topic: string, listener: TopicListener): Promise<() => void>;
  /** Local listeners per topic. */
  counts(): Record<string, number>;
  /** Drop every broker subscription. */
  close(): Promise<void>;
}

interface Entry {
  listeners: Set<TopicListener>;
  ready: Promise<BrokerUnsubscribe>;
  /** Pending teardown after the last listener left. */
  linger?: ReturnType<typeof setTimeout>;
}

/**
 * Create the registry over `broker`; listener and unsubscribe failures go to `onError`. The broker
 * subscription of a topic outlives its last listener by `lingerMs`, so a long-poll loop or a quick
 * resubscribe does not churn broker subscriptions.
 */
export function createTopicRegistry(broker: Broker, onError: (error: unknown) => void, lingerMs = 0): TopicRegistry {
  const entries = new Map<string, Entry>();

  const teardown = (topic: string, entry: Entry) => {
    entry.linger = undefined;
    if (entry.listeners.size > 0) return;
    if (entries.get(topic) === entry) entries.delete(topic);
    entry.ready.then((unsubscribe) => unsubscribe()).catch(() => undefined);
  };

  const release = (topic: string, entry: Entry, listener: TopicListener) => {
    if (!entry.listeners.delete(listener) || entry.listeners.size > 0) return;
    if (lingerMs <= 0) return teardown(topic, entry);
    if (entry.linger === undefined) entry.linger = setTimeout(() => teardown(topic, entry), lingerMs);
  };

  return {
    async listen(topic, listener) {
      let entry = entries.get(topic);
      if (!entry) {
        const listeners = new Set<TopicListener>();
        const dispatch = (message: Envelope) => {
          if (listeners.size === 0) return;
          const outbound = createOutbound(message);
          for (const each of listeners) {
            try {
              each(outbound);
            } catch (error) {
              onError(error);
            }
          }
        };
        const created: Entry = { listeners, ready: broker.subscribe(topic, dispatch) };
        entry = created;
        entries.set(topic, created);
        created.ready.catch(() => {
          if (entries.get(topic) === created) entries.delete(topic);
        });
      }
      const current = entry;
      if (current.linger !== undefined) {
        clearTimeout(current.linger);
        current.linger = undefined;
      }
      current.listeners.add(listener);
      try {
        await current.ready;
      } catch (error) {
        current.listeners.delete(listener);
        throw error instanceof RealtimeError ? error : new RealtimeError('broker_unavailable', `cannot subscribe to ${topic}: ${String(error)}`, topic);
      }
      let released = false;
      return () => {
        if (released) return;
        released = true;
        release(topic, current, listener);
      };
    },
    counts() {
      const counts = Object.create(null) as Record<string, number>;
      for (const [topic, entry] of entries) if (entry.listeners.size > 0) counts[topic] = entry.listeners.size;
      return counts;
    },
    async close() {
      const all = [...entries.values()];
      entries.clear();
      await Promise.all(
        all.map(async (entry) => {
          if (entry.linger !== undefined) clearTimeout(entry.linger);
          entry.listeners.clear();
          try {
            await (await entry.ready)();
          } catch (error) {
            onError(error);
          }
        }),
      );
    },
  };
}
