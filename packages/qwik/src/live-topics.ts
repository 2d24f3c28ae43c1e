import type { ClientError, ConnectionState, SubscriptionEvent } from '@qwik-realtime/core';
import type { Envelope, Position, Positions } from '@qwik-realtime/core/protocol';
import { acquireClient } from './client-registry.js';
import type { RealtimeConfig } from './config.js';
import { createFrameBuffer } from './frame-buffer.js';

/** What {@link openLiveTopics} needs. Plain callbacks: this runs inside a visible task, in the browser. */
export interface LiveTopicsOptions {
  config: RealtimeConfig;
  topics: readonly string[];
  /** One position (single topic) or positions per topic. */
  since?: Position | Positions | null;
  history?: number;
  /** Keep at most this many pending messages between frames (older ones are dropped). */
  cap?: number;
  /** Called at most once per animation frame with what arrived, in order, after dedup. */
  onBatch(messages: Envelope[]): void;
  onState(state: ConnectionState): void;
  onSubscribed?(event: SubscriptionEvent): void;
  onError?(error: ClientError): void;
}

function isPosition(value: Position | Positions): value is Position {
  return typeof (value as Position).offset === 'number' && typeof (value as Position).epoch === 'string';
}

/** The position to resume `topic` from, if any. */
export function sinceFor(since: Position | Positions | null | undefined, topic: string): Position | undefined {
  if (!since) return undefined;
  return isPosition(since) ? since : since[topic];
}

/**
 * Borrow the shared client, subscribe to `topics` and coalesce their messages per frame. Returns the
 * function that undoes all of it (unsubscribe, stop observing, release the client).
 */
export function openLiveTopics(options: LiveTopicsOptions): () => void {
  const lease = acquireClient(options.config);
  const { client } = lease;
  // Once closed, nothing may reach the component any more: the client can still report the teardown.
  let open = true;
  const buffer = createFrameBuffer<Envelope>((messages) => open && options.onBatch(messages), options.cap);
  const stopState = client.onState((state) => open && options.onState(state));
  options.onState(client.getState());
  const subscriptions = options.topics.map((topic) => {
    const since = sinceFor(options.since, topic);
    return client.subscribe(topic, {
      ...(since ? { since } : {}),
      ...(options.history !== undefined ? { history: options.history } : {}),
      onBatch: (messages) => buffer.push(messages),
      onSubscribed: (event) => open && options.onSubscribed?.(event),
      onError: (error) => open && options.onError?.(error),
    });
  });
  return () => {
    if (!open) return;
    open = false;
    buffer.cancel();
    stopState();
    for (const subscription of subscriptions) subscription.unsubscribe();
    lease.release();
  };
}

/** The state shown before the browser has connected (and during SSR). */
export const INITIAL_STATE: ConnectionState = {
  status: 'idle',
  transport: null,
  attempt: 0,
  nextRetryAt: null,
  error: null,
};
