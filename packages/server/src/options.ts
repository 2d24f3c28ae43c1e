import { DEFAULT_HEARTBEAT_MS, isValidTopic } from '@qwik-realtime/core/protocol';
import type { Broker } from './broker.js';
import type { AuthContext, Principal } from './auth.js';
import type { DeadLetter } from './dead-letter.js';

/** What a connection is doing when {@link HubOptions.authorize} is asked. */
export type HubAction = 'subscribe' | 'publish' | 'presence';

/** Transports the hub serves. `server` is a publish made through {@link Hub.publish}. */
export type TransportName = 'sse' | 'ws' | 'poll';

/**
 * Options of `createHub`. Every limit has the default documented in docs/protocol.md.
 * @typeParam P - the app's principal type returned by `authenticate`.
 */
export interface HubOptions<P extends Principal = Principal> {
  /** Where messages are stored and fanned out across instances. @default createMemoryBroker() */
  broker?: Broker;
  /**
   * Decide who is connecting from the request (cookies, `Authorization: Bearer`, the first WS `auth` frame,
   * or `?token=` when {@link HubOptions.allowQueryToken} is set). Return `null` to refuse (`401` /
   * close `unauthorized`). A principal with `expiresAt` (ms) is disconnected with `token_expired` then.
   * @default every request is an anonymous principal `{}`
   */
  authenticate?: (ctx: AuthContext) => P | null | Promise<P | null>;
  /**
   * Decide per topic whether the principal may `subscribe` or `publish`. Refused: `403` / `forbidden`.
   * @default everything is allowed
   */
  authorize?: (principal: P, action: HubAction, topic: string) => boolean | Promise<boolean>;
  /** Interval of server pings, announced in `hello`. @default 15000 */
  heartbeatMs?: number;
  /** Max size of the JSON encoding of a message's `data`, bytes. @default 65536 */
  maxMessageBytes?: number;
  /** Max topics one connection (or one poll) may subscribe to. @default 128 */
  maxTopicsPerConnection?: number;
  /** Bytes a connection may have queued for writing before it is cut with `slow_consumer`. @default 1048576 */
  maxBufferedBytes?: number;
  /**
   * A connection with bytes waiting that the network has taken none of for this long is cut with
   * `slow_consumer`, however few bytes wait: a client that stopped reading is cut within a few seconds of
   * the kernel's socket buffers filling up, instead of when `maxBufferedBytes` finally fills (which at a
   * low message rate may be never). A slow reader that still reads is not cut by this rule; a wait that began
   * with many bytes queued gets as long as they take at 16 KB/s, if longer. @default 5000
   */
  slowConsumerMs?: number;
  /**
   * Topics whose latest value is all that matters (a ticker). While a connection has more than half of
   * `maxBufferedBytes` waiting, such a topic's messages are held, newer replacing older, for that
   * connection only; the message sent when there is room carries `conflated: <dropped count>`. Other topics
   * are never dropped: the connection is cut with `slow_consumer` and resumes from history.
   * @default no topic is conflated
   * @example conflate: (topic) => topic.startsWith('prices:')
   */
  conflate?: (topic: string) => boolean;
  /** Sustained inbound WebSocket frames per second per connection. @default 200 */
  inboundFramesPerSecond?: number;
  /** Inbound WebSocket frames allowed in a burst. @default 400 */
  inboundFrameBurst?: number;
  /**
   * Sustained publishes per second of one connection: a WebSocket session, or for `POST /publish` (what SSE
   * and long-poll clients use) the client's key (`clientKey`, else its address). `hub.publish` is not limited.
   * Refused: `rate_limited` with `retryAfterMs`. @default inboundFramesPerSecond
   */
  connectionPublishesPerSecond?: number;
  /** Publishes one connection may make in a burst. @default inboundFrameBurst */
  connectionPublishBurst?: number;
  /**
   * Sustained subscribes per second of one connection: a WebSocket session's `subscribe` frames, or the
   * topics a long-poll adds to a running poll (a cursor that lacks them), by client key. A first poll and an
   * SSE request are connects, bounded by `maxConcurrentHandshakes` instead. @default 20
   */
  connectionSubscribesPerSecond?: number;
  /** Subscribes one connection may make in a burst (a reconnect resubscribes every topic at once). @default 256 */
  connectionSubscribeBurst?: number;
  /** Sustained publishes per second on one topic, all client publishers together (`hub.publish` not counted). @default 1000 */
  topicPublishesPerSecond?: number;
  /** Client publishes one topic may take in a burst. @default 2000 */
  topicPublishBurst?: number;
  /**
   * Called with every publish the hub rejects (invalid, oversize, unauthorised, rate-limited, broker
   * unavailable, hub closing), on every entry point. A hook that throws goes to `onError`.
   * @default none (rejections are still counted in `hub.stats().deadLetters`)
   */
  onDeadLetter?: (letter: DeadLetter) => void;
  /**
   * Also publish each dead letter (JSON, bounded by `maxMessageBytes`) on this broker topic. Clients may not
   * publish on it (`forbidden`); a letter that cannot be published there goes to `onError`, never to
   * another letter. @default none
   * @example deadLetterTopic: 'dead-letters'
   */
  deadLetterTopic?: string;
  /**
   * Inbound WebSocket frames of one connection waiting for earlier ones (behind a slow `authorize` hook or
   * broker). Past this the hub stops reading the socket until half of them are done. @default 64
   */
  maxQueuedFrames?: number;
  /** Bytes of inbound WebSocket frames of one connection waiting, as for `maxQueuedFrames`. @default 1048576 */
  maxQueuedBytes?: number;
  /**
   * Trust `X-Forwarded-For` for the client address (`POST /publish` rate limits): its last entry, the one
   * added by your own proxy. Only behind a proxy that sets it; otherwise clients choose their bucket.
   * @default false
   */
  trustProxy?: boolean;
  /**
   * Connection handshakes and replays one process runs at once (SSE requests until their replays are
   * written, long-polls until their first read, WebSocket upgrades until `hello`, WebSocket subscribes until
   * their replay is written). Beyond it: `503` / an `error` frame `try_again_later` with `retryAfterMs`.
   * @default 256
   */
  maxConcurrentHandshakes?: number;
  /** Typical `retryAfterMs` of a `try_again_later` answer (spread at random over ½-1½ times it). @default 1000 */
  handshakeRetryAfterMs?: number;
  /**
   * A presence member not refreshed for this long disappears (the members of a crashed instance; a long-poll
   * client that stopped polling). Each hub refreshes its own members every third of it. @default 2 * heartbeatMs
   */
  presenceTtlMs?: number;
  /** Members per topic's presence; a join beyond it is refused with `presence_full`. @default 100 */
  maxPresencePerTopic?: number;
  /** Max size of the JSON encoding of a member's `data`, bytes. @default 1024 */
  maxPresenceDataBytes?: number;
  /** Mount path of the endpoints. @default '/realtime' */
  path?: string;
  /** Accept `?token=` in URLs (leaks into logs; opt in only if you must). @default false */
  allowQueryToken?: boolean;
  /** Longest long-poll wait, ms (a client's `timeout` is capped to it). @default heartbeatMs */
  pollTimeoutMs?: number;
  /** Max messages in one long-poll answer. @default 1000 */
  pollBatchSize?: number;
  /**
   * Max UTF-8 bytes of the messages in one long-poll answer (their JSON). A topic that does not fit answers
   * `more: true` with its position at the last message sent, and the next poll continues there. The first
   * message of an answer always goes, however large, so a poll always makes progress. Bounds what a poll
   * builds in memory: 256 first polls of 1,000 big messages would otherwise build ~16 MB each at once.
   * @default 1048576
   */
  pollAnswerMaxBytes?: number;
  /**
   * How long a topic's broker subscription outlives its last local subscriber, ms (long-poll loops and quick
   * resubscribes then reuse it instead of churning broker subscriptions). `0` tears down at once. @default 1000
   */
  topicLingerMs?: number;
  /** How long a WebSocket without credentials may take to send its `auth` frame, ms. @default 10000 */
  authTimeoutMs?: number;
  /**
   * How long the body of a `POST /publish` or `/presence` may take to arrive, ms; a slower one is answered
   * `400 bad_request` and its buffer dropped (a stalled body must not hold memory until Node's 5 min
   * `requestTimeout`, or forever behind a Fetch-API server). @default 10000
   */
  bodyTimeoutMs?: number;
  /**
   * How long `authenticate` and `authorize` may take to settle, ms; past it the request is refused as
   * `internal` (retryable), the late answer is dropped and `onError` is told. A hook that never settles would
   * otherwise hold a handshake slot, or a WebSocket's frame queue, forever. Kept below the core client's
   * `connectTimeoutMs` (10 s), so a client hears `internal` for the one topic instead of giving up on the whole
   * session first. @default 5000
   */
  hookTimeoutMs?: number;
  /** Id generator for connections and messages. @default crypto.randomUUID */
  generateId?: () => string;
  /** Clock. @default Date.now */
  now?: () => number;
  /** Called for errors the hub swallows to keep serving (a failing listener, a broker hiccup). */
  onError?: (error: unknown) => void;
}

/** {@link HubOptions} with defaults applied. */
export interface ResolvedHubOptions<P extends Principal = Principal>
  extends Required<Omit<HubOptions<P>, 'broker' | 'authenticate' | 'authorize' | 'onError' | 'conflate' | 'onDeadLetter' | 'deadLetterTopic'>> {
  conflate: ((topic: string) => boolean) | undefined;
  onDeadLetter: ((letter: DeadLetter) => void) | undefined;
  deadLetterTopic: string | undefined;
  broker: Broker;
  authenticate: (ctx: AuthContext) => P | null | Promise<P | null>;
  authorize: (principal: P, action: HubAction, topic: string) => boolean | Promise<boolean>;
  onError: (error: unknown) => void;
  /** Largest WebSocket frame accepted: `maxMessageBytes` + 4 KiB. */
  maxFrameBytes: number;
}

/** Apply defaults (see {@link HubOptions}). */
export function resolveOptions<P extends Principal>(options: HubOptions<P>, broker: Broker): ResolvedHubOptions<P> {
  const heartbeatMs = duration(options.heartbeatMs, DEFAULT_HEARTBEAT_MS, 'heartbeatMs');
  const maxMessageBytes = positive(options.maxMessageBytes, 64 * 1024, 'maxMessageBytes');
  const inboundFramesPerSecond = positive(options.inboundFramesPerSecond, 200, 'inboundFramesPerSecond');
  const inboundFrameBurst = positive(options.inboundFrameBurst, 400, 'inboundFrameBurst');
  const path = (options.path ?? '/realtime').replace(/\/+$/, '');
  if (!path.startsWith('/')) throw new Error(`@qwik-realtime/server: path must start with "/", got ${JSON.stringify(options.path)}`);
  return {
    broker,
    authenticate: options.authenticate ?? (() => ({}) as P),
    authorize: options.authorize ?? (() => true),
    onError: options.onError ?? ((error) => console.error('@qwik-realtime/server:', error)),
    heartbeatMs,
    maxMessageBytes,
    maxFrameBytes: maxMessageBytes + 4096,
    maxTopicsPerConnection: positive(options.maxTopicsPerConnection, 128, 'maxTopicsPerConnection'),
    maxBufferedBytes: positive(options.maxBufferedBytes, 1024 * 1024, 'maxBufferedBytes'),
    slowConsumerMs: duration(options.slowConsumerMs, 5000, 'slowConsumerMs'),
    conflate: options.conflate,
    inboundFramesPerSecond,
    inboundFrameBurst,
    // A hub that lets more frames in lets as many publishes in, unless told otherwise.
    connectionPublishesPerSecond: positive(options.connectionPublishesPerSecond, inboundFramesPerSecond, 'connectionPublishesPerSecond'),
    connectionPublishBurst: positive(options.connectionPublishBurst, inboundFrameBurst, 'connectionPublishBurst'),
    connectionSubscribesPerSecond: positive(options.connectionSubscribesPerSecond, 20, 'connectionSubscribesPerSecond'),
    connectionSubscribeBurst: positive(options.connectionSubscribeBurst, 256, 'connectionSubscribeBurst'),
    topicPublishesPerSecond: positive(options.topicPublishesPerSecond, 1000, 'topicPublishesPerSecond'),
    topicPublishBurst: positive(options.topicPublishBurst, 2000, 'topicPublishBurst'),
    onDeadLetter: options.onDeadLetter,
    deadLetterTopic: deadLetterTopicOf(options.deadLetterTopic),
    maxQueuedFrames: positive(options.maxQueuedFrames, 64, 'maxQueuedFrames'),
    maxQueuedBytes: positive(options.maxQueuedBytes, 1024 * 1024, 'maxQueuedBytes'),
    trustProxy: options.trustProxy ?? false,
    maxConcurrentHandshakes: positive(options.maxConcurrentHandshakes, 256, 'maxConcurrentHandshakes'),
    handshakeRetryAfterMs: duration(options.handshakeRetryAfterMs, 1000, 'handshakeRetryAfterMs'),
    presenceTtlMs: duration(options.presenceTtlMs, Math.min(2 * heartbeatMs, MAX_DELAY_MS), 'presenceTtlMs'),
    maxPresencePerTopic: positive(options.maxPresencePerTopic, 100, 'maxPresencePerTopic'),
    maxPresenceDataBytes: positive(options.maxPresenceDataBytes, 1024, 'maxPresenceDataBytes'),
    path,
    allowQueryToken: options.allowQueryToken ?? false,
    pollTimeoutMs: duration(options.pollTimeoutMs, heartbeatMs, 'pollTimeoutMs'),
    pollBatchSize: positive(options.pollBatchSize, 1000, 'pollBatchSize'),
    pollAnswerMaxBytes: positive(options.pollAnswerMaxBytes, 1024 * 1024, 'pollAnswerMaxBytes'),
    authTimeoutMs: duration(options.authTimeoutMs, 10_000, 'authTimeoutMs'),
    bodyTimeoutMs: duration(options.bodyTimeoutMs, 10_000, 'bodyTimeoutMs'),
    hookTimeoutMs: duration(options.hookTimeoutMs, 5000, 'hookTimeoutMs'),
    topicLingerMs: options.topicLingerMs === undefined ? 1000 : Math.min(Math.max(0, options.topicLingerMs), MAX_DELAY_MS),
    generateId: options.generateId ?? (() => globalThis.crypto.randomUUID()),
    now: options.now ?? (() => Date.now()),
  };
}

function deadLetterTopicOf(topic: string | undefined): string | undefined {
  if (topic !== undefined && !isValidTopic(topic)) throw new Error(`@qwik-realtime/server: deadLetterTopic is not a valid topic: ${JSON.stringify(topic)}`);
  return topic;
}

/** Longest delay a timer holds, ms (2^31 - 1, about 24.8 days): Node and browsers fire a longer one after 1 ms. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/** A positive duration a timer can hold: `heartbeatMs: 1e12` pinged every connection every millisecond. */
function duration(value: number | undefined, fallback: number, name: string): number {
  const ms = positive(value, fallback, name);
  if (ms > MAX_DELAY_MS) throw new Error(`@qwik-realtime/server: ${name} must be at most ${MAX_DELAY_MS} ms, got ${value}`);
  return ms;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`@qwik-realtime/server: ${name} must be a positive number, got ${value}`);
  return value;
}
