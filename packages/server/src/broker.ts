import type { Envelope, Position } from '@qwik-realtime/core/protocol';

/** What the hub hands a broker to publish: the envelope minus its position, which the broker assigns. */
export interface BrokerPublish {
  /** Unique id; doubles as the idempotency key. */
  id: string;
  data: unknown;
  timestamp: number;
}

/** Outcome of {@link Broker.publish}. */
export interface BrokerPublishResult {
  /** The stored message with its position (for a duplicate: the message stored the first time). */
  message: Envelope;
  /** True when `id` was already published on this topic within the broker's dedup window. */
  duplicate: boolean;
}

/**
 * A history read: either everything after `since` (oldest first, at most `limit`), or the `last` N
 * messages.
 */
export type HistoryQuery = { since: Position; limit?: number } | { last: number };

/** Outcome of {@link Broker.history}. */
export interface HistoryResult {
  /** Messages in offset order. */
  messages: Envelope[];
  /**
   * For a `since` query: true only if every message after `since` still exists in this epoch (then
   * `messages` starts at `since.offset + 1`); false if the position was trimmed, expired, belongs to another
   * epoch or lies beyond the head. In that case `messages` is empty: never a partial replay.
   * For a `last` query: always true.
   */
  recovered: boolean;
  /**
   * The topic's newest position (offset 0 in the current epoch for an empty topic). For a topic with no
   * stored state at all the epoch is a read-time epoch (see {@link Broker}), not the one its first message
   * will carry; a `since` at that head still resumes from the start of the run that begins afterwards.
   */
  head: Position;
}

/** Stops a live subscription. */
export type BrokerUnsubscribe = () => void | Promise<void>;

/**
 * The seam between the hub and a message store (memory, Redis Streams, NATS JetStream, ...).
 *
 * A broker must:
 * - assign each topic's messages consecutive offsets starting at 1 in an epoch, and change the epoch
 *   (matching `/^[A-Za-z0-9_-]{1,64}$/`) whenever it cannot guarantee the old history any more;
 * - deliver live messages of a topic to its listeners in offset order, across every hub instance sharing it;
 * - treat `id` as an idempotency key within a bounded window (return `duplicate: true` and do not deliver);
 * - reject with a `RealtimeError('broker_unavailable')` rather than hang or drop when its backend is down,
 *   and reconnect and resubscribe by itself;
 * - store nothing for a read (`history`) of a topic nobody published to or subscribed, so reads of arbitrary
 *   names cost nothing; keep each topic's history within a window bounded by bytes and age, and forget idle
 *   topics (a topic that comes back after being forgotten gets a new epoch);
 * - give the subscriber of an empty topic a head whose epoch its first message will carry (`subscribe` may
 *   create the topic's state for that).
 * `tests/brokers/contract.ts` checks all of this against every broker.
 * The hub calls `subscribe` once per topic per process and fans out to its own connections.
 */
export interface Broker {
  /** Store and fan out a message; resolves once it is durable as far as this broker goes. */
  publish(topic: string, message: BrokerPublish): Promise<BrokerPublishResult>;
  /** Receive live messages of `topic` published after the returned promise resolves. */
  subscribe(topic: string, listener: (message: Envelope) => void): Promise<BrokerUnsubscribe>;
  /** Read stored messages (see {@link HistoryQuery}). */
  history(topic: string, query: HistoryQuery): Promise<HistoryResult>;
  /** Release everything this broker opened (not connections that were injected into it). */
  close(): Promise<void>;
}
