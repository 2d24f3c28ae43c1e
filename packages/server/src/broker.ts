import type { Envelope, Position, PresenceMember } from '@qwik-realtime/core/protocol';

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
  /** What the broker is (`memory`, `redis`, `nats`, `rabbitmq`): the `broker` label of the hub's metrics. */
  readonly kind?: string;
  /** Store and fan out a message; resolves once it is durable as far as this broker goes. */
  publish(topic: string, message: BrokerPublish): Promise<BrokerPublishResult>;
  /** Receive live messages of `topic` published after the returned promise resolves. */
  subscribe(topic: string, listener: (message: Envelope) => void): Promise<BrokerUnsubscribe>;
  /** Read stored messages (see {@link HistoryQuery}). */
  history(topic: string, query: HistoryQuery): Promise<HistoryResult>;
  /** Release everything this broker opened (not connections that were injected into it). */
  close(): Promise<void>;
  /** Presence across instances (optional; see {@link BrokerPresence}). */
  readonly presence?: BrokerPresence;
}

/** Options of {@link BrokerPresence.join}. */
export interface PresenceJoinOptions {
  /** The member expires this long after the join or its last refresh, ms. */
  ttlMs: number;
  /** Refuse a new member (resolve `false`) when the topic already has this many live ones. */
  max: number;
}

/**
 * Optional broker capability: per-topic presence shared by every hub instance on the broker. Members
 * expire `ttlMs` after their last join/refresh, so the members of a crashed instance disappear by
 * themselves; the hub refreshes its own members every `presenceTtlMs / 3`.
 *
 * An implementation must:
 * - keep at most one member per `(topic, member.id)`; a join of a known id replaces its data;
 * - never list an expired member;
 * - call every `watch` listener of the topic, on every instance, soon after a join or leave (the hub then
 *   re-reads `list` and works out who came and went; expiries are found by the hub's periodic re-read).
 * `tests/brokers/presence-contract.ts` checks this against every broker that has it. A broker without it
 * gives presence per hub instance only.
 */
export interface BrokerPresence {
  /** Add or replace a member; resolves `false` (nothing stored) when the topic is full. */
  join(topic: string, member: PresenceMember, options: PresenceJoinOptions): Promise<boolean>;
  /** Push back the expiry of members that still exist (unknown ids are ignored); tells no watcher. */
  refresh(topic: string, ids: string[], ttlMs: number): Promise<void>;
  /** Remove members. */
  leave(topic: string, ids: string[]): Promise<void>;
  /** Live members, in no particular order. */
  list(topic: string): Promise<PresenceMember[]>;
  /** Be told about joins and leaves of `topic` on any instance; resolves once listening, to the stop function. */
  watch(topic: string, onChange: () => void): Promise<() => void>;
}
