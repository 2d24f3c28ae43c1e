import type { Envelope, ErrorCode, Position, PublishAck, RetryPolicy } from './protocol/index.js';

/** Lifecycle of the client's one connection. */
export type ConnectionStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Names of the built-in transports. */
export type TransportName = 'websocket' | 'sse' | 'fetch-sse' | 'long-poll';

/** An error as the client reports it: plain data, safe to put in a Qwik store or send over postMessage. */
export interface ClientError {
  code: ErrorCode;
  message: string;
  /** How the client reacts: `no_retry` means it stopped and waits for `connect()`. */
  retry: RetryPolicy;
  /** The topic it concerns, if only one. */
  topic?: string;
}

/** Snapshot of the connection, enough for a status badge ("Reconnecting in 4 s"). Plain data. */
export interface ConnectionState {
  status: ConnectionStatus;
  /** Transport of the current or last connection. */
  transport: TransportName | null;
  /** Reconnect attempts since the connection last stayed up for `minUptimeMs`. */
  attempt: number;
  /** When the next attempt starts (ms since the Unix epoch), while `reconnecting`. */
  nextRetryAt: number | null;
  /** The last error, cleared when a connection opens. */
  error: ClientError | null;
}

/** Delivered once per (re)subscription, before any replayed message of it. Plain data. */
export interface SubscriptionEvent {
  topic: string;
  /** False when the client asked to resume and the server could not fill the gap: reload your state. */
  recovered: boolean;
  /** True when this subscription resumed from a known position (after a reconnect or with `since`). */
  resumed: boolean;
  /** The stream continues right after this position. */
  position: Position;
  /** Messages replayed right after this event. */
  replayed: number;
}

/**
 * The server dropped messages of a conflated topic (the hub's `conflate` option) because this connection
 * fell behind; the message right after the gap is delivered as usual. Plain data.
 */
export interface ConflationEvent {
  topic: string;
  /** How many messages right before `position` were dropped for this connection. */
  dropped: number;
  /** Position of the message that replaced them. */
  position: Position;
}

/** Where one topic's subscription stands. */
export type TopicStatus = 'subscribing' | 'live' | 'resubscribing' | 'failed';

/** Snapshot of one topic's subscription, enough for a per-topic badge. Plain data. */
export interface TopicState {
  topic: string;
  /**
   * `subscribing` until the server confirms; `live` after it did; `resubscribing` after a connection drop or a
   * retryable topic error; `failed` after a `no_retry` topic error (forbidden, invalid topic).
   */
  status: TopicStatus;
  /** The last error about this topic, cleared when it is live again; kept while `failed`. */
  error: ClientError | null;
  /** false after a (re)subscription whose gap the server could not fill, until the next one that could */
  recovered: boolean;
  /** when the next resubscribe attempt starts, while resubscribing */
  nextRetryAt: number | null;
}

/** Options of one subscription. */
export interface SubscribeOptions<T = unknown> {
  /** Resume after this position (e.g. the position of server-rendered messages). */
  since?: Position;
  /** Replay the last N messages when there is no position to resume from. */
  history?: number;
  /** Check/convert `data`; throw to reject a message (reported through `onError` as `bad_request`). */
  validate?: (data: unknown) => T;
  /** Called per message, in order, after dedup. */
  onMessage?: (message: Envelope<T>) => void;
  /** Called with every message that arrived in one tick/frame, in order, after dedup. */
  onBatch?: (messages: Envelope<T>[]) => void;
  /** Called on every (re)subscription with the `recovered` flag. */
  onSubscribed?: (event: SubscriptionEvent) => void;
  /** Called on errors that concern this subscription (forbidden topic, validation failure). */
  onError?: (error: ClientError) => void;
  /** Called whenever this topic's {@link TopicState} changes. */
  onTopicState?: (state: TopicState) => void;
  /** Called when the server dropped messages of this (conflated) topic for this slow connection. */
  onConflated?: (event: ConflationEvent) => void;
}

/** Handle of one subscription; call `unsubscribe` exactly when the consumer goes away. */
export interface Subscription {
  readonly topic: string;
  /** Last position seen on this topic, if any. */
  position(): Position | undefined;
  /** Current state of this topic's subscription. */
  state(): TopicState;
  /** Release this subscription (the topic is unsubscribed once its last subscriber leaves, after a delay). */
  unsubscribe(): void;
}

/** Options of a publish. */
export interface PublishOptions {
  /** Idempotency key; generated when omitted, and reused by the client's own retries. */
  id?: string;
}

/** The framework-free client: one connection, many topic subscriptions. */
export interface RealtimeClient {
  /** Subscribe to a topic; connects on first use unless the client was closed. */
  subscribe<T = unknown>(topic: string, options: SubscribeOptions<T>): Subscription;
  /** Publish and wait for the server's acknowledgement; rejects with a {@link ClientError}-shaped error. */
  publish<T = unknown>(topic: string, data: T, options?: PublishOptions): Promise<PublishAck>;
  /** Current connection state. */
  getState(): ConnectionState;
  /** Observe state changes; returns the unsubscribe function. */
  onState(listener: (state: ConnectionState) => void): () => void;
  /** (Re)connect now, resetting a stopped (`no_retry`) client. */
  connect(): void;
  /** Close the connection and drop every subscription. */
  close(): void;
}
