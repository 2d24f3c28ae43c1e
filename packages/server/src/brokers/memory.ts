import { randomBytes } from 'node:crypto';
import type { Envelope, Position } from '@qwik-realtime/core/protocol';
import type { Broker, BrokerPublish, BrokerPublishResult, HistoryQuery, HistoryResult } from '../broker.js';
import { createHistoryWindow } from './history-window.js';
import { createMemoryPresence } from './memory-presence.js';
import type { HistoryWindow, HistoryWindowLimits } from './history-window.js';
import { resumesFromNothing, unknownTopicEpoch } from './unknown-topic.js';

/** Options of {@link createMemoryBroker}. */
export interface MemoryBrokerOptions {
  /** Bytes of messages (their JSON) kept per topic for resume. @default 16_777_216 (16 MiB) */
  historyMaxBytes?: number;
  /** Messages older than this (ms) are dropped and no longer replayed. @default 120_000 (2 minutes) */
  historyTtlMs?: number;
  /** Optional cap on the number of messages kept per topic, on top of bytes and age. @default no cap */
  historySize?: number;
  /** Recent message ids remembered per topic for idempotent publishing. @default 1000 */
  dedupWindow?: number;
  /** Epoch of this broker's history; random per instance by default. */
  epoch?: string;
  /** Clock, injectable for tests. @default Date.now */
  now?: () => number;
}

/** What a memory broker holds right now (see {@link MemoryBroker.stats}). */
export interface MemoryBrokerStats {
  /** Topics with any state: subscribed, or with messages still in their history window. */
  topics: number;
  /** Messages kept for resume, over all topics. */
  messages: number;
  /** Bytes of those messages (their JSON). */
  bytes: number;
}

/** The broker returned by {@link createMemoryBroker}. */
export interface MemoryBroker extends Broker {
  /** The epoch of topics created first in this instance (a topic recreated after being reclaimed gets another). */
  readonly epoch: string;
  /** Current size, for monitoring and tests. */
  stats(): MemoryBrokerStats;
}

interface TopicState {
  epoch: string;
  window: HistoryWindow;
  /** Offset of the newest message (0 = none yet). */
  head: number;
  listeners: Set<(message: Envelope) => void>;
  recentIds: Map<string, Envelope>;
}

/**
 * A broker that lives in this process: a history window per topic bounded by bytes and age (so a client cut
 * for a few seconds at 10k msg/s still resumes), a random epoch per instance, so a restarted server tells
 * resuming clients `recovered: false`. For one instance; use Redis or NATS for more.
 *
 * Only a publish or a subscriber creates a topic's state; reading an unknown topic stores nothing. A topic
 * with no subscriber whose messages all left the window is dropped; if it had messages, it comes back under
 * a new epoch, since its offsets restart at 1.
 * @example
 * const hub = createHub({ broker: createMemoryBroker({ historyMaxBytes: 64 * 1024 * 1024, historyTtlMs: 300_000 }) });
 */
export function createMemoryBroker(options: MemoryBrokerOptions = {}): MemoryBroker {
  const limits: HistoryWindowLimits = {
    maxBytes: Math.max(1, options.historyMaxBytes ?? 16 * 1024 * 1024),
    maxAgeMs: Math.max(1, options.historyTtlMs ?? 120_000),
    maxCount: options.historySize === undefined ? Infinity : Math.max(1, options.historySize),
  };
  const dedupWindow = Math.max(1, options.dedupWindow ?? 1000);
  const epoch = options.epoch ?? randomBytes(6).toString('base64url');
  const now = options.now ?? (() => Date.now());
  const sweepEveryMs = Math.min(limits.maxAgeMs, 60_000);
  const topics = new Map<string, TopicState>();
  let generation = 0;
  let lastSweep = now();
  let closed = false;

  const runEpoch = () => (generation === 0 ? epoch : `${epoch.slice(0, 54)}-${generation.toString(36)}`);

  const stateOf = (topic: string): TopicState => {
    let state = topics.get(topic);
    if (!state) {
      state = { epoch: runEpoch(), window: createHistoryWindow(limits), head: 0, listeners: new Set(), recentIds: new Map() };
      topics.set(topic, state);
    }
    return state;
  };

  /** Drop `topic` if nothing needs it: no subscriber and nothing left in its window. */
  const reclaim = (topic: string, state: TopicState) => {
    if (state.listeners.size > 0 || topics.get(topic) !== state) return;
    state.window.trim(now());
    if (state.window.count() > 0) return;
    topics.delete(topic);
    // Its offsets restart at 1 if it comes back: under a new epoch, so old positions are not taken for new ones.
    if (state.head > 0) generation++;
  };

  /** Reclaim idle topics now and then, driven by calls rather than a timer (nothing to stop, clock injectable). */
  const sweep = () => {
    const at = now();
    if (at - lastSweep < sweepEveryMs) return;
    lastSweep = at;
    for (const [topic, state] of topics) {
      state.window.trim(at);
      reclaim(topic, state);
    }
  };

  const headOf = (topic: string, state: TopicState | undefined): Position =>
    state ? { offset: state.head, epoch: state.epoch } : { offset: 0, epoch: unknownTopicEpoch(now(), epoch) };

  return {
    kind: 'memory',
    epoch,
    presence: createMemoryPresence(now),
    async publish(topic: string, input: BrokerPublish): Promise<BrokerPublishResult> {
      if (closed) throw new Error('@qwik-realtime/server: memory broker is closed');
      sweep();
      const state = stateOf(topic);
      const seen = state.recentIds.get(input.id);
      if (seen) return { message: seen, duplicate: true };
      const message: Envelope = { id: input.id, topic, data: input.data, timestamp: input.timestamp, offset: state.head + 1, epoch: state.epoch };
      state.head = message.offset;
      state.window.push(message, now());
      state.recentIds.set(message.id, message);
      if (state.recentIds.size > dedupWindow) state.recentIds.delete(state.recentIds.keys().next().value as string);
      for (const listener of state.listeners) listener(message);
      return { message, duplicate: false };
    },

    async subscribe(topic, listener) {
      sweep();
      const state = stateOf(topic);
      state.listeners.add(listener);
      return () => {
        state.listeners.delete(listener);
        reclaim(topic, state);
      };
    },

    async history(topic: string, query: HistoryQuery): Promise<HistoryResult> {
      sweep();
      const state = topics.get(topic);
      const head = headOf(topic, state);
      state?.window.trim(now());
      if ('last' in query) return { messages: state?.window.last(query.last) ?? [], recovered: true, head };
      const fromNothing = resumesFromNothing(query.since, now(), limits.maxAgeMs, epoch);
      if (!state) return { messages: [], recovered: fromNothing || (query.since.offset === 0 && query.since.epoch === runEpoch()), head };
      const since = fromNothing ? { offset: 0, epoch: state.epoch } : query.since;
      const recoverable = since.epoch === state.epoch && since.offset <= state.head && since.offset + 1 >= state.window.oldestOffset(state.head);
      if (!recoverable) return { messages: [], recovered: false, head };
      const to = query.limit === undefined ? state.head : Math.min(state.head, since.offset + Math.max(0, query.limit));
      return { messages: state.window.range(since.offset + 1, to), recovered: true, head };
    },

    stats() {
      let messages = 0;
      let bytes = 0;
      for (const state of topics.values()) {
        messages += state.window.count();
        bytes += state.window.bytes();
      }
      return { topics: topics.size, messages, bytes };
    },

    async close() {
      closed = true;
      for (const state of topics.values()) state.listeners.clear();
    },
  };
}
