import type { Envelope, Position } from './protocol/envelope.js';
import type { TopicRequest } from './transport.js';
import type { ClientError, SubscribeOptions, TopicState, TopicStatus } from './types.js';

/** One consumer of a topic. */
export interface Listener {
  options: SubscribeOptions<unknown>;
  active: boolean;
}

/** The client's record of one subscribed topic (shared by every listener of it). */
export interface TopicEntry {
  topic: string;
  listeners: Set<Listener>;
  position?: Position;
  history?: number;
  resumed: boolean;
  /** Replayed messages still to drop: the server replayed more than this topic's `history` asked for. */
  skip: number;
  confirmed: boolean;
  teardown?: unknown;
  pending: Envelope[];
  /** Current state, replaced (never mutated) on every change. */
  state: TopicState;
  /** Retries of this topic since it was last live (topic-level errors only). */
  attempt: number;
  retryTimer?: unknown;
  /** When the topic last became live (for resetting `attempt` after it stayed up). */
  liveSince?: number;
}

/** A new entry, `subscribing`. */
export function createTopicEntry(topic: string, options: SubscribeOptions<unknown>): TopicEntry {
  return {
    topic,
    listeners: new Set(),
    position: options.since,
    history: options.history,
    resumed: false,
    skip: 0,
    confirmed: false,
    pending: [],
    state: { topic, status: 'subscribing', error: null, recovered: true, nextRetryAt: null },
    attempt: 0,
  };
}

/** What to ask the server for this topic: resume after its position, else its history. */
export function topicRequest(entry: TopicEntry): TopicRequest {
  entry.resumed = entry.position !== undefined;
  if (entry.position) return { topic: entry.topic, since: entry.position };
  return entry.history ? { topic: entry.topic, history: entry.history } : { topic: entry.topic };
}

/**
 * Move `entry` to a new state and tell its listeners (`onTopicState`) if anything changed. `call` runs
 * each listener callback so that one throwing listener does not starve the others.
 */
export function setTopicState(
  entry: TopicEntry,
  patch: { status: TopicStatus; error?: ClientError | null; recovered?: boolean; nextRetryAt?: number | null },
  call: (run: () => void) => void,
): void {
  const before = entry.state;
  const next: TopicState = {
    topic: entry.topic,
    status: patch.status,
    error: patch.error === undefined ? before.error : patch.error,
    recovered: patch.recovered ?? before.recovered,
    nextRetryAt: patch.nextRetryAt === undefined ? before.nextRetryAt : patch.nextRetryAt,
  };
  if (
    next.status === before.status &&
    next.error === before.error &&
    next.recovered === before.recovered &&
    next.nextRetryAt === before.nextRetryAt
  ) {
    return;
  }
  entry.state = next;
  for (const listener of [...entry.listeners]) {
    const onTopicState = listener.options.onTopicState;
    if (listener.active && onTopicState) call(() => onTopicState(next));
  }
}

/** Tell `entry`'s listeners (`onConflated`) that the server dropped messages before `message`, if it did. */
export function notifyConflated(entry: TopicEntry, message: Envelope, call: (run: () => void) => void): void {
  const dropped = message.conflated;
  if (!dropped) return;
  const event = { topic: entry.topic, dropped, position: { offset: message.offset, epoch: message.epoch } };
  for (const listener of [...entry.listeners]) if (listener.active) call(() => listener.options.onConflated?.(event));
}
