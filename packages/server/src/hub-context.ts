import type { ErrorCode, PublishAck } from '@qwik-realtime/core/protocol';
import type { Admission } from './admission.js';
import type { AuthContext, Principal } from './auth.js';
import type { DeadLetterReason, DeadLetterSink, DeadLetterSource } from './dead-letter.js';
import type { RateLimitScope } from './limits.js';
import type { HubCounters } from './metrics-counters.js';
import type { HubAction, ResolvedHubOptions, TransportName } from './options.js';
import type { PresenceHub } from './presence.js';
import type { RateLimiter } from './rate-limit.js';
import type { Session } from './session.js';
import type { TopicRegistry } from './topic-registry.js';

/** What the transports need from a hub; not part of the public API (reach it with {@link contextOf}). */
export interface HubContext<P extends Principal = Principal> {
  options: ResolvedHubOptions<P>;
  registry: TopicRegistry;
  /** Presence of this hub over the broker's (or a local) presence store. */
  presence: PresenceHub;
  sessions: Set<Session<P>>;
  /** Long-polls waiting right now (each entry wakes one). */
  polls: Set<() => void>;
  /** WebSockets still waiting for their `auth` frame (each entry closes one). */
  unauthenticated: Set<(code: ErrorCode) => void>;
  closing: boolean;
  /** Set by `hub.close({ drainMs })`: the window announced to clients for their reconnect. */
  reconnectWithinMs?: number;
  /** The handshake/replay cap (`maxConcurrentHandshakes`). */
  admission: Admission;
  /**
   * The one `authenticate` path of every transport and frame: resolves to the principal, or throws
   * `unauthorized` (hook returned null), `token_expired`, or `internal` (hook threw; retryable).
   */
  authenticate(authContext: AuthContext): Promise<P>;
  /** Count a connection closed by the server (`hub.stats().disconnects`). */
  countDisconnect(code: ErrorCode, transport: TransportName): void;
  /** What the hub has done since it started (`hub.stats()`); transports bump these directly. */
  counters: HubCounters;
  /** Count an operation refused by a token bucket (`hub.stats().rateLimited`). */
  countRateLimited(scope: RateLimitScope): void;
  /** Count a rejected publish (`hub.stats().deadLetters`). */
  countDeadLetter(reason: DeadLetterReason): void;
  /** `authorize`, with exceptions turned into `internal` errors. */
  authorize(principal: P, action: HubAction, topic: string): Promise<boolean>;
  /**
   * Rate-limit (the source's connection bucket, then the topic's bucket for client publishes), authorize
   * (when a principal is given), validate and publish. Every rejection is recorded as a dead letter.
   */
  publish(source: PublishSource<P>, topic: unknown, data: unknown, id: unknown): Promise<PublishAck>;
  /** Token bucket per client address/key for `POST /publish` (same rates as inbound WebSocket frames). */
  publishLimiter(key: string): RateLimiter;
  /** Per-connection publish bucket of an HTTP publisher (`POST /publish`), by client key. */
  httpPublishLimiter(key: string): RateLimiter;
  /** Per-connection subscribe bucket of a long-poll client, by client key. */
  pollSubscribeLimiter(key: string): RateLimiter;
  /** Where rejected publishes go (`onDeadLetter`, `deadLetterTopic`, `hub.stats().deadLetters`). */
  deadLetters: DeadLetterSink;
  /** Tell `onConnection` listeners about a new session. */
  announce(session: Session<P>): void;
}

/** Who publishes through {@link HubContext.publish}. */
export interface PublishSource<P extends Principal = Principal> {
  transport: DeadLetterSource;
  /** Authorized against when given (client publishes); `hub.publish` has none. */
  principal?: P;
  /** The publisher's per-connection bucket (WebSocket session, HTTP client key). */
  bucket?: RateLimiter;
}

const contexts = new WeakMap<object, HubContext<never>>();

/** Link a hub object to its context. */
export function registerContext<P extends Principal>(hub: object, ctx: HubContext<P>): void {
  contexts.set(hub, ctx as unknown as HubContext<never>);
}

/** The context of a hub made by `createHub`. */
export function contextOf<P extends Principal>(hub: object): HubContext<P> {
  const ctx = contexts.get(hub);
  if (!ctx) throw new Error('@qwik-realtime/server: not a hub created by createHub()');
  return ctx as unknown as HubContext<P>;
}
