import type { ClientError, ConflationEvent, ConnectionState, RealtimeClient, Subscription, SubscriptionEvent, TopicState } from '@qwik-realtime/core';
import type { HostSubscribeOptions } from '@qwik-realtime/core/host';
import type { Envelope, Position, Positions } from '@qwik-realtime/core/protocol';
import type { ClientLease } from './client-registry.js';
import { createFrameBuffer } from './frame-buffer.js';

/** What to follow; changing it moves the subscriptions over the same connection. */
export interface TopicSpec {
  topics: readonly string[];
  /** One position (single topic) or positions per topic. */
  since?: Position | Positions | null;
  history?: number;
  /** Check/convert each message's data (throwing rejects the message). */
  validate?: (data: unknown) => unknown;
}

/** Plain callbacks of {@link followTopics}: this runs inside a visible task, in the browser. */
export interface LiveTopicsCallbacks {
  /**
   * Keep at most this many pending messages between frames (older ones are dropped). A worker host is asked
   * for the same window, so a burst costs the tab at most this many messages per frame. @default no cap
   */
  cap?: number;
  /** Called at most once per animation frame with what arrived for the current topics, in order. */
  onBatch(messages: Envelope[]): void;
  onState(state: ConnectionState): void;
  onTopicState(state: TopicState): void;
  onSubscribed?(event: SubscriptionEvent): void;
  onError?(error: ClientError): void;
  /** The server dropped messages of a conflated topic for this slow connection. */
  onConflated?(event: ConflationEvent): void;
}

/** A live set of subscriptions over one lease. */
export interface LiveTopics {
  /** Follow `spec` from now on: new topics are subscribed before old ones are let go (no reconnect). */
  update(spec: TopicSpec): void;
  /** Unsubscribe everything, stop observing and release the lease. */
  close(): void;
}

function isPosition(value: Position | Positions): value is Position {
  return typeof (value as Position).offset === 'number' && typeof (value as Position).epoch === 'string';
}

/** The position to resume `topic` from, if any. */
export function sinceFor(since: Position | Positions | null | undefined, topic: string): Position | undefined {
  if (!since) return undefined;
  return isPosition(since) ? since : since[topic];
}

/** The state of a topic before the server answered. */
export function subscribingState(topic: string): TopicState {
  return { topic, status: 'subscribing', error: null, recovered: true, nextRetryAt: null };
}

/**
 * Subscribe to a spec's topics on the lease's client and coalesce their messages per frame; follows the
 * lease when {@link registerClient} replaces the client (resuming each topic from its last position).
 */
export function followTopics(lease: ClientLease, spec: TopicSpec, callbacks: LiveTopicsCallbacks): LiveTopics {
  // Once closed, nothing may reach the component any more: the client can still report the teardown.
  let open = true;
  let current = spec;
  const subscriptions = new Map<string, Subscription>();
  // Topics whose state the core reports itself; the rest derive it from subscribed/error events.
  const reported = new Set<string>();
  const buffer = createFrameBuffer<Envelope>((messages) => {
    if (!open) return;
    const wanted = messages.filter((message) => subscriptions.has(message.topic));
    if (wanted.length > 0) callbacks.onBatch(wanted);
  }, callbacks.cap);

  const topicState = (topic: string, state: TopicState, fromCore: boolean) => {
    if (!open || !subscriptions.has(topic)) return;
    if (fromCore) reported.add(topic);
    else if (reported.has(topic)) return;
    // The hooks copy it into plain data (plainTopicState).
    callbacks.onTopicState(state);
  };

  const subscribe = (client: RealtimeClient, topic: string, since: Position | undefined, history: number | undefined) => {
    callbacks.onTopicState(subscribingState(topic));
    // Absent and undefined options mean the same to the core client and the connection host.
    const options: HostSubscribeOptions = {
      since,
      history,
      validate: current.validate,
      last: callbacks.cap,
      onBatch: (messages) => buffer.push(messages),
      onSubscribed(event) {
        if (!open) return;
        topicState(topic, { topic, status: 'live', error: null, recovered: event.recovered, nextRetryAt: null }, false);
        callbacks.onSubscribed?.(event);
      },
      onError(error) {
        if (!open) return;
        if (error.retry === 'no_retry' && error.code !== 'bad_request') {
          topicState(topic, { topic, status: 'failed', error, recovered: true, nextRetryAt: null }, false);
        }
        callbacks.onError?.(error);
      },
      onTopicState: (state) => topicState(topic, state, true),
      onConflated: (event) => open && callbacks.onConflated?.(event),
    };
    return client.subscribe(topic, options);
  };

  let client = lease.client;
  let stopState = () => {};
  const observe = (next: RealtimeClient) => {
    stopState();
    client = next;
    stopState = client.onState((state) => open && callbacks.onState(state));
    callbacks.onState(client.getState());
  };
  observe(client);

  const apply = (next: TopicSpec) => {
    current = next;
    const added = next.topics.filter((topic) => !subscriptions.has(topic));
    const removed = [...subscriptions.keys()].filter((topic) => !next.topics.includes(topic));
    for (const topic of added) {
      reported.delete(topic);
      subscriptions.set(topic, subscribe(client, topic, sinceFor(next.since, topic), next.history));
    }
    for (const topic of removed) {
      subscriptions.get(topic)!.unsubscribe();
      subscriptions.delete(topic);
    }
  };

  lease.onMove((next) => {
    if (!open) return;
    observe(next);
    for (const [topic, old] of [...subscriptions]) {
      const position = old.position();
      reported.delete(topic);
      subscriptions.set(topic, subscribe(client, topic, position ?? sinceFor(current.since, topic), position ? undefined : current.history));
      old.unsubscribe();
    }
  });

  apply(spec);
  return {
    update(next) {
      if (open) apply(next);
    },
    close() {
      if (!open) return;
      open = false;
      buffer.cancel();
      stopState();
      for (const subscription of subscriptions.values()) subscription.unsubscribe();
      subscriptions.clear();
      lease.release();
    },
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
