import type { ErrorBody, ErrorCode, RetryPolicy } from './protocol/codes.js';
import type { Envelope, Position } from './protocol/envelope.js';
import type { PublishAck, PublishRequest, SubscribedFrame } from './protocol/frames.js';
import type { PresenceFrame, PresenceJoinFrame, PresenceLeaveFrame } from './protocol/presence.js';
import type { ResolvedPlatform } from './platform.js';
import type { TransportName } from './types.js';

/** One topic a session must subscribe to, with where to resume. */
export interface TopicRequest {
  topic: string;
  /** Resume right after this position. */
  since?: Position;
  /** Replay the last N messages when there is no `since`. */
  history?: number;
}

/** Everything a transport needs for one connection attempt. Read once, when the attempt starts. */
export interface TransportContext {
  /** Hub mount URL without trailing slash, e.g. `https://example.com/realtime` or `/realtime`. */
  url: string;
  /** Topics to subscribe to as soon as the session opens. */
  topics: TopicRequest[];
  /** A token fetched for this very attempt (`getToken()` runs before every attempt). */
  token?: string;
  /** Extra request headers (HTTP transports that can send headers). */
  headers?: Record<string, string>;
  platform: ResolvedPlatform;
  /** Adds the client's presence parameters to a poll (long-poll only; called before each poll after the first). */
  presence?: (query: URLSearchParams) => void;
  /**
   * WebSocket: how long the hub may leave a subscribe unanswered (no `subscribed` or `error` for it, and no
   * answer to any other request meanwhile) before the session counts as stuck and ends. Unset: no limit.
   */
  answerTimeoutMs?: number;
}

/** Why a session ended. */
export interface CloseReason {
  /** Protocol error code, when known (from a close code, an HTTP status, or an `error` event). */
  code?: ErrorCode;
  /** How the connection must react. */
  retry: RetryPolicy;
  message: string;
  /** Server hint (`Retry-After`, `retryAfterMs`): do not retry sooner. */
  retryAfterMs?: number;
  /** The server is draining and named a window for the reconnect (an error body's `reconnectWithinMs`). */
  reconnectWithinMs?: number;
  /** The one topic the error is about (a 403 for one forbidden topic of an SSE/long-poll request). */
  topic?: string;
  /**
   * The failure is about the transport itself (no constructor, a network that refused it), so falling back
   * to the next transport may help. Default: true only for `disconnected` (no answer from the server).
   */
  transportFault?: boolean;
}

/** Callbacks from a session to the connection. */
export interface TransportEvents {
  /**
   * The session is established (the `hello` arrived); `heartbeatMs` is the server's announced interval,
   * `connectionId` the hello's (long-poll has none).
   */
  open(heartbeatMs: number, connectionId?: string): void;
  /** A topic is subscribed (or resubscribed); replayed messages follow. */
  subscribed(frame: SubscribedFrame): void;
  /** Messages, parsed once, in arrival order (per topic: offset order). */
  messages(messages: Envelope[]): void;
  /** An error that does not end the session (e.g. one forbidden topic). */
  error(body: ErrorBody): void;
  /** A presence frame (WS frame, SSE event; long-poll: each of the answer's, with its `presenceTag`). */
  presence?(frame: PresenceFrame | undefined, tag?: string): void;
  /** Anything arrived (ping, data, poll answer): feeds the heartbeat watchdog. */
  alive(): void;
  /** A server hint for the reconnect delay scale (SSE `retry:`). */
  retryHint?(ms: number): void;
  /**
   * The server announced it is draining this connection (WS `reconnect` frame, SSE `event: reconnect`,
   * long-poll `reconnectWithinMs`): the next reconnect waits a random delay in `[0, ms)`.
   */
  reconnectWithin?(ms: number): void;
  /** The session ended by itself. Called at most once, and never after `session.close()`. */
  closed(reason: CloseReason): void;
}

/** A live connection attempt made by a {@link Transport}. */
export interface TransportSession {
  /**
   * Add a topic while connected. Return `false` if this transport cannot change its topic set on a live
   * session (SSE: topics are in the URL); the connection then restarts the session, resuming every topic.
   */
  subscribe(request: TopicRequest): boolean;
  /** Stop a topic. A transport that cannot may ignore it: the client drops messages of unknown topics. */
  unsubscribe(topic: string): void;
  /**
   * Publish over this session (WebSocket frames). Absent: the client publishes with `POST /publish`.
   * When `signal` aborts (the client gave up waiting), forget the request and reject.
   */
  publish?(request: PublishRequest, ref: string, signal?: AbortSignal): Promise<PublishAck>;
  /** Join/leave presence over this session (WebSocket frames). Absent: the client uses `POST /presence`. */
  presence?(frame: PresenceJoinFrame | PresenceLeaveFrame): void;
  /** End the session. Afterwards the session calls no callback. */
  close(): void;
}

/**
 * A way to reach the hub, as a value (`webSocketTransport()`, `eventSourceTransport()`, ...), so unused
 * transports are never bundled.
 *
 * Contract for implementers:
 * - `connect` starts one attempt and returns at once; it must not throw (report failures via `closed`).
 * - Call `open` once the server's `hello` (or first poll answer) arrived, then `subscribed`/`messages`.
 *   Parse every payload once; hand `messages` arrays when several arrive together.
 * - Call `closed` exactly once when the session ends by itself, with the retry policy of the error
 *   (`retryPolicyOf(code)` / `retryPolicyOfCloseCode`); 401/403 must map to `no_retry`.
 * - After `close()` is called, release everything and call nothing.
 * - Never reconnect by yourself: backoff, fallback and resume belong to the connection.
 */
export interface Transport {
  readonly name: TransportName;
  connect(context: TransportContext, events: TransportEvents): TransportSession;
}
