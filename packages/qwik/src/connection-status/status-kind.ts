import type { ConnectionState, TopicState } from '@qwik-realtime/core';

/**
 * What a status badge shows; also the `data-state` of {@link ConnectionStatus} and `LiveFeed`. `idle` is
 * only shown by `ConnectionStatus`, in the browser, while no component on the page is subscribed.
 */
export type StatusKind = 'connecting' | 'live' | 'reconnecting' | 'offline' | 'error' | 'idle';

/** Texts of {@link ConnectionStatus}; `{s}` is replaced by the seconds until the next attempt, `{message}` by the error. */
export type StatusLabels = Record<StatusKind, string>;

/** The default, English texts. */
export const DEFAULT_LABELS: StatusLabels = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting in {s} s',
  offline: 'Offline',
  error: 'Error: {message}',
  idle: 'Not connected',
};

/** The kind of each connection status that is not `connecting`. */
const KIND_OF_STATUS: Partial<Record<ConnectionState['status'], StatusKind>> = { open: 'live', reconnecting: 'reconnecting', closed: 'offline' };

/**
 * Map a connection state to what the user should be told. `online: false` (the browser says the network
 * is gone) wins over everything; a client that stopped for good (`no_retry`) is an error. `idle` maps to
 * `connecting`: it is what is rendered on the server, before the browser connects.
 */
export function statusKind(state: ConnectionState, online = true): StatusKind {
  if (!online) return 'offline';
  if (state.error?.retry === 'no_retry' && state.status !== 'open') return 'error';
  return KIND_OF_STATUS[state.status] ?? 'connecting';
}

/** Seconds until `nextRetryAt`, rounded up, never negative. */
export function secondsUntil(nextRetryAt: number | null, now: number): number {
  if (nextRetryAt === null) return 0;
  return Math.max(0, Math.ceil((nextRetryAt - now) / 1000));
}

/** The text for `kind`, with its placeholders filled. */
export function statusText(kind: StatusKind, state: ConnectionState, now: number, labels: StatusLabels = DEFAULT_LABELS): string {
  return labels[kind]
    .replace('{s}', String(secondsUntil(state.nextRetryAt, now)))
    .replace('{message}', state.error?.message ?? 'unknown');
}

/**
 * What a badge or list about one topic shows: the topic's refusal (`failed`) is an `error` whatever the
 * connection does; a topic still (re)subscribing on a live connection is `connecting` / `reconnecting`.
 */
export function topicKind(state: ConnectionState, topic: TopicState, online = true): StatusKind {
  if (topic.status === 'failed') return 'error';
  const kind = statusKind(state, online);
  if (kind !== 'live') return kind;
  if (topic.status === 'subscribing') return 'connecting';
  if (topic.status === 'resubscribing') return 'reconnecting';
  return kind;
}
