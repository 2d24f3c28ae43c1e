import type { ErrorCode, PublishAck } from '@qwik-realtime/core/protocol';
import type { Principal } from './auth.js';
import { createAdmission } from './admission.js';
import type { DeadLetterReason } from './dead-letter.js';
import { createMemoryBroker } from './brokers/memory.js';
import { createMemoryPresence } from './brokers/memory-presence.js';
import { createDeadLetterSink } from './dead-letter.js';
import { withinDeadline } from './hook-deadline.js';
import { RealtimeError, toRealtimeError } from './errors.js';
import { registerContext } from './hub-context.js';
import { countingAdmission, createHubCounters } from './metrics-counters.js';
import type { BrokerErrorCounts } from './metrics-counters.js';
import type { HubContext, PublishSource } from './hub-context.js';
import { resolveOptions } from './options.js';
import type { HubOptions, ResolvedHubOptions, TransportName } from './options.js';
import { createKeyedLimiters, takeOrThrow } from './limits.js';
import type { RateLimitScope } from './limits.js';
import { sendPublish, validatePublish } from './publish.js';
import type { PublishOptions } from './publish.js';
import type { Session, SessionHandle } from './session.js';
import { createPresenceHub } from './presence.js';
import { shareHistoryReads } from './shared-reads.js';
import { createTopicRegistry } from './topic-registry.js';

/** A snapshot for operators and tests (`hub.stats()`). */
export interface HubStats {
  /** Open connections per transport (`poll`: long-polls waiting right now). */
  connections: Record<TransportName, number>;
  /** Local subscribers per topic (connections of this process, not the broker's). No prototype: any topic is a key. */
  topics: Record<string, number>;
  /** Connections the server closed since it started, per code (`slow_consumer`, `rate_limited`, ...). */
  disconnects: Partial<Record<ErrorCode, number>>;
  /** Publishes rejected since start, per {@link DeadLetterReason} (each also went to `onDeadLetter`). */
  deadLetters: Partial<Record<DeadLetterReason, number>>;
  /**
   * Operations refused by a token bucket since start: per connection (WebSocket frames, SSE/long-poll
   * publishes and subscribes), per topic (publishes by all publishers), per client address (`POST /publish`).
   */
  rateLimited: RateLimitedCounts;
  /** Topic subscriptions per transport (SSE/WebSocket: of open connections; `poll`: of waiting long-polls). */
  subscriptions: Record<TransportName, number>;
  /** Publishes accepted since start (acknowledged, duplicates included), from every entry point. */
  messagesIn: number;
  /** Messages written to clients since start, per transport (live and replayed). */
  messagesOut: Record<TransportName, number>;
  /** Subscriptions answered with a replay of stored messages (`subscribed` with `replayed > 0`), per transport. */
  replays: Record<TransportName, number>;
  /** Messages those replays announced (the sum of their `replayed`), per transport. */
  replayedMessages: Record<TransportName, number>;
  /** `subscribed` answers with `recovered: false` (a position that could not be resumed), per transport. */
  recoveredFalse: Record<TransportName, number>;
  /** {@link HubStats.disconnects} per transport. */
  disconnectsByTransport: Record<TransportName, Partial<Record<ErrorCode, number>>>;
  /** Handshakes and replays refused with `try_again_later` since start (`maxConcurrentHandshakes`). */
  handshakeRefusals: number;
  /** Handshakes and replays holding a slot right now. */
  handshakesInFlight: number;
  /** Broker operations that failed (`broker_unavailable`) since start. */
  brokerErrors: BrokerErrorCounts;
}

/** Rejections per kind of token bucket ({@link HubStats.rateLimited}). */
export interface RateLimitedCounts {
  connection: number;
  topic: number;
  address: number;
}

/** Options of {@link Hub.close}. */
export interface HubCloseOptions {
  /** Window over which clients should spread their reconnects, ms (sent as `reconnectWithinMs`). */
  drainMs?: number;
}

/**
 * The realtime hub: owns connections, topic subscriptions, heartbeats and limits over a broker. Serve it
 * with `createNodeHandler` + `attachHub`, `createFetchHandler`, `qwikCityHandlers` or `realtimeVitePlugin`.
 */
export interface Hub<P extends Principal = Principal> {
  /** The options with defaults applied. */
  readonly options: ResolvedHubOptions<P>;
  /**
   * Publish from server code, validated like a client publish (topic syntax, size) but not authorized and
   * not rate-limited. Rejects with a `RealtimeError`; a rejection is a dead letter (`onDeadLetter`).
   */
  publish(topic: string, data: unknown, options?: PublishOptions): Promise<PublishAck>;
  /** Connections per transport and subscribers per topic. */
  stats(): HubStats;
  /** Open SSE and WebSocket connections. */
  sessions(): SessionHandle<P>[];
  /**
   * Close every SSE and WebSocket connection with `code` (clients react per its retry policy) and answer
   * waiting long-polls. Returns how many connections were closed.
   */
  disconnectAll(code?: ErrorCode): number;
  /**
   * Call `listener` for every new SSE/WebSocket connection (after `hello`). A seam for operator tooling and
   * fault injection: keep the handle to close it later. Returns an unsubscribe function.
   */
  onConnection(listener: (session: SessionHandle<P>) => void): () => void;
  /**
   * Stop: refuse new requests, close connections with `server_shutdown`, drop broker subscriptions, and
   * close the broker if the hub created it (an injected broker is left open). With `drainMs`, clients are
   * told first to spread their reconnects over that window (a `reconnect` frame / SSE event / poll field).
   * @example
   * process.on('SIGTERM', () => void hub.close({ drainMs: 10_000 }));
   */
  close(options?: HubCloseOptions): Promise<void>;
}

/**
 * Create a hub.
 * @example
 * const hub = createHub({
 *   authenticate: ({ cookies }) => sessions.get(cookies.sid) ?? null,
 *   authorize: (user, action, topic) => action === 'subscribe' || topic.startsWith(`user:${user.id}:`),
 * });
 * const server = http.createServer(createNodeHandler(hub));
 * attachHub(server, hub);
 */
export function createHub<P extends Principal = Principal>(options: HubOptions<P> = {}): Hub<P> {
  const ownsBroker = options.broker === undefined;
  // Every history read of the hub (resumes, long-polls, gap repairs) goes through one sharing layer.
  const resolved = resolveOptions(options, shareHistoryReads(options.broker ?? createMemoryBroker()));
  const listeners = new Set<(session: SessionHandle<P>) => void>();
  const disconnects: Partial<Record<ErrorCode, number>> = {};
  const deadLetters: Partial<Record<DeadLetterReason, number>> = {};
  const rateLimited: RateLimitedCounts = { connection: 0, topic: 0, address: 0 };
  const counters = createHubCounters();
  let closed: Promise<void> | undefined;

  const topicLimiter = createKeyedLimiters(resolved.topicPublishesPerSecond, resolved.topicPublishBurst, resolved.now);
  const countRateLimited = (scope: RateLimitScope) => ctx.countRateLimited(scope);
  const publishChecked = async (source: PublishSource<P>, topic: unknown, data: unknown, id: unknown): Promise<PublishAck> => {
    if (ctx.closing) throw new RealtimeError('server_shutdown', 'the hub is closing');
    const named = typeof topic === 'string' ? topic : undefined;
    // Buckets before hooks: a flood must not reach `authorize`.
    if (source.bucket) takeOrThrow(source.bucket, 'connection', countRateLimited, 'publishes', named);
    const { principal } = source;
    if (principal !== undefined && named !== undefined) {
      if (named === resolved.deadLetterTopic) throw new RealtimeError('forbidden', `${named} is written by the hub only`, named);
      if (!(await ctx.authorize(principal, 'publish', named))) throw new RealtimeError('forbidden', `not allowed to publish on ${named}`, named);
    }
    const valid = validatePublish(topic, data, id, resolved.maxMessageBytes);
    if (source.transport !== 'server') takeOrThrow(topicLimiter(valid.topic), 'topic', countRateLimited, `publishes on ${valid.topic}`, valid.topic);
    return sendPublish(resolved.broker, valid, resolved);
  };

  const ctx: HubContext<P> = {
    options: resolved,
    registry: createTopicRegistry(resolved.broker, resolved.onError, resolved.topicLingerMs),
    // A broker without presence (RabbitMQ, a custom one) gives presence per instance.
    presence: createPresenceHub(resolved.broker.presence ?? createMemoryPresence(resolved.now), {
      ttlMs: resolved.presenceTtlMs,
      max: resolved.maxPresencePerTopic,
      onError: resolved.onError,
    }),
    sessions: new Set<Session<P>>(),
    polls: new Set(),
    unauthenticated: new Set(),
    closing: false,
    admission: countingAdmission(createAdmission(resolved.maxConcurrentHandshakes, resolved.handshakeRetryAfterMs), counters),
    counters,
    async authenticate(authContext) {
      let principal: P | null;
      try {
        principal = await withinDeadline(() => resolved.authenticate(authContext), resolved.hookTimeoutMs, 'authenticate');
      } catch (error) {
        if (error instanceof RealtimeError) throw error;
        resolved.onError(error);
        throw new RealtimeError('internal', 'authenticate failed');
      }
      if (!principal) throw new RealtimeError('unauthorized', 'missing or invalid credentials');
      if (principal.expiresAt !== undefined && principal.expiresAt <= resolved.now()) throw new RealtimeError('token_expired', 'credentials expired');
      return principal;
    },
    countDisconnect(code, transport) {
      disconnects[code] = (disconnects[code] ?? 0) + 1;
      const byTransport = counters.transports[transport].disconnects;
      byTransport[code] = (byTransport[code] ?? 0) + 1;
    },
    countRateLimited(scope) {
      rateLimited[scope]++;
    },
    countDeadLetter(reason) {
      deadLetters[reason] = (deadLetters[reason] ?? 0) + 1;
    },
    async authorize(principal, action, topic) {
      try {
        return (await withinDeadline(() => resolved.authorize(principal, action, topic), resolved.hookTimeoutMs, 'authorize')) === true;
      } catch (error) {
        resolved.onError(error);
        throw new RealtimeError('internal', `authorize failed for ${topic}`, topic);
      }
    },
    async publish(source, topic, data, id) {
      try {
        const ack = await publishChecked(source, topic, data, id);
        counters.messagesIn++;
        return ack;
      } catch (error) {
        ctx.deadLetters.record({ transport: source.transport, topic, data, id, principal: source.principal }, toRealtimeError(error));
        throw error;
      }
    },
    publishLimiter: createKeyedLimiters(resolved.inboundFramesPerSecond, resolved.inboundFrameBurst, resolved.now),
    httpPublishLimiter: createKeyedLimiters(resolved.connectionPublishesPerSecond, resolved.connectionPublishBurst, resolved.now),
    pollSubscribeLimiter: createKeyedLimiters(resolved.connectionSubscribesPerSecond, resolved.connectionSubscribeBurst, resolved.now),
    deadLetters: createDeadLetterSink({
      onDeadLetter: resolved.onDeadLetter,
      deadLetterTopic: resolved.deadLetterTopic,
      publish: (topic, letter) => sendPublish(resolved.broker, { topic, data: letter, id: undefined }, resolved),
      maxMessageBytes: resolved.maxMessageBytes,
      count: (reason) => ctx.countDeadLetter(reason),
      onError: resolved.onError,
      now: resolved.now,
    }),
    announce(session) {
      for (const listener of listeners) {
        try {
          listener(session);
        } catch (error) {
          resolved.onError(error);
        }
      }
    },
  };

  const disconnectAll = (code: ErrorCode = 'disconnected'): number => {
    const sessions = [...ctx.sessions];
    for (const session of sessions) session.close(code);
    for (const wake of [...ctx.polls]) wake();
    for (const close of [...ctx.unauthenticated]) close(code);
    return sessions.length;
  };

  const transportStats = () => {
    const perTransport = <T>(read: (name: TransportName) => T): Record<TransportName, T> => ({ sse: read('sse'), ws: read('ws'), poll: read('poll') });
    const subscriptions = perTransport((name) => (name === 'poll' ? counters.transports.poll.waitingTopics : 0));
    for (const session of ctx.sessions) subscriptions[session.transport] += session.topics().length;
    return {
      subscriptions,
      messagesOut: perTransport((name) => counters.transports[name].messagesOut),
      replays: perTransport((name) => counters.transports[name].replays),
      replayedMessages: perTransport((name) => counters.transports[name].replayedMessages),
      recoveredFalse: perTransport((name) => counters.transports[name].recoveredFalse),
      disconnectsByTransport: perTransport((name) => ({ ...counters.transports[name].disconnects })),
    };
  };

  const hub: Hub<P> = {
    options: resolved,
    publish: (topic, data, publishOptions) => ctx.publish({ transport: 'server' }, topic, data, publishOptions?.id),
    stats() {
      const connections: Record<TransportName, number> = { sse: 0, ws: 0, poll: ctx.polls.size };
      for (const session of ctx.sessions) connections[session.transport]++;
      return {
        connections,
        topics: ctx.registry.counts(),
        disconnects: { ...disconnects },
        deadLetters: { ...deadLetters },
        rateLimited: { ...rateLimited },
        ...transportStats(),
        messagesIn: counters.messagesIn,
        handshakeRefusals: counters.handshakeRefusals,
        handshakesInFlight: ctx.admission.inFlight(),
        // A broker's publish failure is a dead letter of its own reason: one count, read from there.
        brokerErrors: { publish: deadLetters.broker_unavailable ?? 0, subscribe: counters.brokerSubscribeErrors },
      };
    },
    sessions: () => [...ctx.sessions],
    disconnectAll,
    onConnection(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close(closeOptions = {}) {
      closed ??= (async () => {
        const { drainMs } = closeOptions;
        if (drainMs !== undefined && Number.isFinite(drainMs) && drainMs > 0) ctx.reconnectWithinMs = Math.round(drainMs);
        ctx.closing = true;
        disconnectAll('server_shutdown');
        ctx.presence.close();
        await ctx.registry.close();
        if (ownsBroker) await resolved.broker.close();
      })();
      return closed;
    },
  };
  registerContext(hub, ctx);
  return hub;
}
