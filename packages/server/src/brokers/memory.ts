import { randomBytes } from 'node:crypto';
import type { Envelope } from '@qwik-realtime/core/protocol';
import type { Broker, BrokerPublish, BrokerPublishResult, HistoryQuery, HistoryResult } from '../broker.js';

/** Options of {@link createMemoryBroker}. */
export interface MemoryBrokerOptions {
  /** Messages kept per topic for resume. @default 1000 */
  historySize?: number;
  /** Messages older than this (ms) are no longer replayed. @default 300_000 (5 minutes) */
  historyTtlMs?: number;
  /** Recent message ids remembered per topic for idempotent publishing. @default 1000 */
  dedupWindow?: number;
  /** Epoch of this broker's history; random per instance by default. */
  epoch?: string;
  /** Clock, injectable for tests. @default Date.now */
  now?: () => number;
}

interface TopicState {
  /** Ring buffer of the newest messages, oldest first once unrolled. */
  ring: (Envelope | undefined)[];
  /** Offset of the newest message (0 = none yet). */
  head: number;
  listeners: Set<(message: Envelope) => void>;
  recentIds: Map<string, Envelope>;
}

/**
 * A broker that lives in this process: a ring buffer per topic and a random epoch per instance, so a
 * restarted server tells resuming clients `recovered: false`. For one instance; use Redis or NATS for more.
 * @example
 * const hub = createHub({ broker: createMemoryBroker({ historySize: 5000 }) });
 */
export function createMemoryBroker(options: MemoryBrokerOptions = {}): Broker & { readonly epoch: string } {
  const historySize = Math.max(1, options.historySize ?? 1000);
  const ttl = options.historyTtlMs ?? 300_000;
  const dedupWindow = Math.max(1, options.dedupWindow ?? 1000);
  const epoch = options.epoch ?? randomBytes(6).toString('base64url');
  const now = options.now ?? (() => Date.now());
  const topics = new Map<string, TopicState>();
  let closed = false;

  const stateOf = (topic: string): TopicState => {
    let state = topics.get(topic);
    if (!state) {
      state = { ring: new Array(historySize), head: 0, listeners: new Set(), recentIds: new Map() };
      topics.set(topic, state);
    }
    return state;
  };

  /** Oldest offset still replayable (head + 1 when nothing is). */
  const oldestOffset = (state: TopicState): number => {
    const cutoff = now() - ttl;
    let offset = Math.max(1, state.head - historySize + 1);
    while (offset <= state.head) {
      const message = state.ring[offset % historySize];
      if (message && message.offset === offset && message.timestamp >= cutoff) break;
      offset++;
    }
    return offset;
  };

  const range = (state: TopicState, from: number, to: number): Envelope[] => {
    const out: Envelope[] = [];
    for (let offset = from; offset <= to; offset++) out.push(state.ring[offset % historySize] as Envelope);
    return out;
  };

  return {
    epoch,
    async publish(topic: string, input: BrokerPublish): Promise<BrokerPublishResult> {
      if (closed) throw new Error('@qwik-realtime/server: memory broker is closed');
      const state = stateOf(topic);
      const seen = state.recentIds.get(input.id);
      if (seen) return { message: seen, duplicate: true };
      const message: Envelope = { id: input.id, topic, data: input.data, timestamp: input.timestamp, offset: state.head + 1, epoch };
      state.head = message.offset;
      state.ring[message.offset % historySize] = message;
      state.recentIds.set(message.id, message);
      if (state.recentIds.size > dedupWindow) state.recentIds.delete(state.recentIds.keys().next().value as string);
      for (const listener of state.listeners) listener(message);
      return { message, duplicate: false };
    },

    async subscribe(topic, listener) {
      const state = stateOf(topic);
      state.listeners.add(listener);
      return () => {
        state.listeners.delete(listener);
      };
    },

    async history(topic: string, query: HistoryQuery): Promise<HistoryResult> {
      const state = stateOf(topic);
      const head = { offset: state.head, epoch };
      const oldest = oldestOffset(state);
      if ('last' in query) {
        const from = Math.max(oldest, state.head - Math.max(0, query.last) + 1);
        return { messages: range(state, from, state.head), recovered: true, head };
      }
      const { since } = query;
      const recoverable = since.epoch === epoch && since.offset <= state.head && since.offset + 1 >= oldest;
      if (!recoverable) return { messages: [], recovered: false, head };
      const to = query.limit === undefined ? state.head : Math.min(state.head, since.offset + query.limit);
      return { messages: range(state, since.offset + 1, to), recovered: true, head };
    },

    async close() {
      closed = true;
      for (const state of topics.values()) state.listeners.clear();
    },
  };
}
