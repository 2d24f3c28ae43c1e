import type { BackoffOptions } from './backoff.js';
import type { ResolvedPlatform } from './platform.js';
import type { ErrorBody } from './protocol/codes.js';
import type { Envelope } from './protocol/envelope.js';
import type { SubscribedFrame } from './protocol/frames.js';
import type { PresenceFrame } from './protocol/presence.js';
import type { TopicRequest, Transport, TransportSession } from './transport.js';
import type { ClientError, ConnectionState } from './types.js';

/** Settings of a {@link Connection}; see `ClientOptions` for the public defaults. */
export interface ConnectionOptions {
  url: string;
  transports: Transport[];
  platform: ResolvedPlatform;
  getToken?: () => string | null | undefined | Promise<string | null | undefined>;
  headers?: Record<string, string>;
  backoff?: BackoffOptions;
  minUptimeMs: number;
  heartbeatGraceMs: number;
  pauseWhenHidden: boolean;
  /** An attempt without `hello` (or first poll answer) after this long fails like a refused one. */
  connectTimeoutMs: number;
  /** A transport that failed before ever opening is skipped this long. */
  transportSkipMs: number;
  /** Window of the first retry after a `retry_now` close. */
  retryNowWindowMs: number;
  debug?: (event: string, detail?: unknown) => void;
  /** The topics to subscribe to, read at the start of every attempt. */
  topics(): TopicRequest[];
  subscribed(frame: SubscribedFrame): void;
  messages(messages: Envelope[]): void;
  error(body: ErrorBody): void;
  /** A session opened (`connectionId` from `hello`, none for long-poll). */
  opened?(connectionId?: string): void;
  /** A presence frame (with the long-poll answer's `presenceTag`). */
  presence?(frame: PresenceFrame | undefined, tag?: string): void;
  /** Adds a long-poll's presence parameters to each poll. */
  pollPresence?(query: URLSearchParams): void;
  /** The session ended unexpectedly: every subscription must be confirmed again. */
  dropped(): void;
  /**
   * The server refused the whole request because of one topic (SSE/long-poll answer 403 naming it):
   * drop that topic and return true, so the connection retries at once with the others.
   */
  rejectTopic(topic: string, error: ClientError): boolean;
}

/**
 * The Connection <-> Client seam: one connection over an ordered fallback chain of transports, with
 * backoff, heartbeat watchdog and online/visibility handling. It knows topics only as a list to (re)send.
 */
export interface Connection {
  state(): ConnectionState;
  onState(listener: (state: ConnectionState) => void): () => void;
  /** Topics exist: make sure a connection is up or on its way (no-op when closed or stopped). */
  ensure(): void;
  /** Reset a stopped/closed connection and connect now. */
  connect(): void;
  /** No topics left: end the session and go idle. */
  idle(): void;
  /** Close for good (until `connect()`). */
  close(): void;
  subscribe(request: TopicRequest): void;
  unsubscribe(topic: string): void;
  /** The open session, if any. */
  session(): TransportSession | undefined;
}
