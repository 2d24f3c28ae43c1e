import { backoffDelay } from './backoff.js';
import type { BackoffOptions } from './backoff.js';
import { createConnection } from './connection.js';
import { createDedup } from './dedup.js';
import { createDelivery } from './delivery.js';
import { clientError, clientErrorOfBody } from './errors.js';
import { resolvePlatform, timerMs } from './platform.js';
import type { Platform } from './platform.js';
import type { SubscribedFrame } from './protocol/frames.js';
import { isValidTopic } from './protocol/topic.js';
import type { Presence, PresenceDeps } from './presence.js';
import { presenceSeam } from './presence-seam.js';
import { lazyPublisher } from './lazy-publisher.js';
import type { PublishingModule } from './lazy-publisher.js';
import { createTopicEntry, notifyConflated, setTopicState, topicRequest } from './topic-entry.js';
import type { Listener, TopicEntry } from './topic-entry.js';
import type { Transport } from './transport.js';
import type { ClientError, RealtimeClient, SubscribeOptions, Subscription, SubscriptionEvent, TopicState } from './types.js';

/** Options of {@link createBaseClient} (and of `createClient`, where `transports` is optional). */
export interface BaseClientOptions {
  /** Hub mount URL, e.g. `/realtime` or `https://example.com/realtime`. */
  url: string;
  /**
   * Ordered fallback chain. A transport that fails for a reason about itself (network refusal, no answer,
   * missing constructor) before ever opening is skipped for `transportSkipMs`, and again tried after that.
   */
  transports: Transport[];
  /** Called before every connection attempt and publish; the token goes in `Authorization` / the WS auth frame. */
  getToken?: () => string | null | undefined | Promise<string | null | undefined>;
  /** Extra headers for transports that can send them (fetch-SSE, long-poll, publish). */
  headers?: Record<string, string>;
  /** Reconnect backoff. @default { baseMs: 1000, capMs: 30000 } */
  backoff?: BackoffOptions;
  /** The attempt counter resets only after a connection stayed up this long. @default 5000 */
  minUptimeMs?: number;
  /** Added to the server's announced heartbeat interval before the connection counts as dead. @default 5000 */
  heartbeatGraceMs?: number;
  /** An attempt that got no `hello` (or first poll answer) after this long fails and counts as one. @default 10000 */
  connectTimeoutMs?: number;
  /** How long a transport that failed before ever opening is skipped; `connect()` forgets skips. @default 60000 */
  transportSkipMs?: number;
  /**
   * The first reconnect after a "retry now" close (server shutdown, heartbeat timeout) waits a random delay
   * in `[0, retryNowWindowMs)`, so a restarting hub does not get every client back at once. A window
   * announced by the server (`reconnectWithinMs`) replaces it for that reconnect. @default 1000
   */
  retryNowWindowMs?: number;
  /** Wait this long after the last subscriber of a topic leaves before unsubscribing it. @default 1000 */
  teardownDelayMs?: number;
  /** How many recent message ids are remembered to drop duplicates. @default 1000 */
  dedupWindow?: number;
  /** Disconnect while the page is hidden (background tabs then miss nothing: they resume). @default false */
  pauseWhenHidden?: boolean;
  /** A publish without an acknowledgement after this long is retried. @default 10000 */
  publishTimeoutMs?: number;
  /** Retries of a publish (same idempotency id) on retryable errors. @default 3 */
  publishRetries?: number;
  /** How batches are scheduled: messages that arrive before the callback runs go out as one batch. @default queueMicrotask */
  scheduleBatch?: (flush: () => void) => void;
  /** Platform seams (WebSocket, EventSource, fetch, online/visibility targets, clock). @default globals */
  platform?: Platform;
  /** Log hook for connection events (`attempt`, `open`, `closed`, `retry`, `heartbeat_timeout`, ...). */
  debug?: (event: string, detail?: unknown) => void;
}

type Entry = TopicEntry;

/**
 * {@link createBaseClient} with the way publishing is loaded given: `createBaseClient` imports it on the first
 * publish (a chunk of its own); a worker bundle, which cannot split (Vite builds workers as one IIFE), hands
 * over the module it imported statically.
 */
export function createClientWith(options: BaseClientOptions, loadPublishing: () => Promise<PublishingModule>): RealtimeClient {
  const platform = resolvePlatform(options.platform);
  const url = options.url.replace(/\/+$/, '');
  const topics = new Map<string, Entry>();
  const dedup = createDedup(options.dedupWindow ?? 1000);

  const request = topicRequest;
  const minUptimeMs = timerMs(options.minUptimeMs, 5000);
  const retryNowWindowMs = timerMs(options.retryNowWindowMs, 1000);
  const safely = (call: () => void) => {
    try {
      call();
    } catch (error) {
      // A throwing listener must not starve the others; surface it like an event handler error.
      platform.setTimeout(() => {
        throw error;
      }, 0);
    }
  };
  const delivery = createDelivery(options.scheduleBatch ?? queueMicrotask, safely);
  const eventOf = (entry: Entry, frame: Pick<SubscribedFrame, 'recovered' | 'position' | 'replayed'>): SubscriptionEvent => ({
    topic: entry.topic,
    recovered: frame.recovered,
    resumed: entry.resumed,
    position: frame.position,
    replayed: frame.replayed,
  });

  const remove = (entry: Entry) => {
    platform.clearTimeout(entry.teardown);
    platform.clearTimeout(entry.retryTimer);
    topics.delete(entry.topic);
    delivery.forget(entry);
    connection.unsubscribe(entry.topic);
    if (!topics.size) connection.idle();
  };

  /** The server dropped this topic with a retryable error: subscribe it again, with backoff, since its position. */
  const retryTopic = (entry: Entry, error: ClientError, retryAfterMs?: number) => {
    platform.clearTimeout(entry.retryTimer);
    entry.confirmed = false;
    // A topic that stayed live for a while starts over; one that fails right after each resubscribe backs off.
    if (entry.liveSince !== undefined && platform.now() - entry.liveSince >= minUptimeMs) entry.attempt = 0;
    entry.liveSince = undefined;
    const backoff = backoffDelay(entry.attempt++, platform.random(), options.backoff);
    // A hint is waited at least, jittered like a connection retry; a hub at its cap (`try_again_later`) paces
    // alone, not stacked on the growing backoff (see retry-delay.ts).
    const hinted = retryAfterMs && retryAfterMs > 0 ? retryAfterMs + Math.floor(platform.random() * Math.max(retryAfterMs, retryNowWindowMs)) : 0;
    const delay = hinted && error.code === 'try_again_later' ? hinted : Math.max(backoff, hinted);
    setTopicState(entry, { status: 'resubscribing', error, nextRetryAt: platform.now() + delay }, safely);
    entry.retryTimer = platform.setTimeout(() => {
      entry.retryTimer = undefined;
      if (topics.get(entry.topic) !== entry) return;
      setTopicState(entry, { status: 'resubscribing', nextRetryAt: null }, safely);
      connection.subscribe(request(entry));
    }, delay);
  };

  /** Tell a topic's subscribers; a do-not-retry error ends the topic, others resubscribe it. True if known. */
  const topicError = (topic: string, error: ClientError, retryAfterMs?: number): boolean => {
    const entry = topics.get(topic);
    if (!entry) return false;
    for (const listener of [...entry.listeners]) safely(() => listener.options.onError?.(error));
    if (topics.get(topic) !== entry) return true;
    if (error.retry === 'no_retry') {
      setTopicState(entry, { status: 'failed', error, nextRetryAt: null }, safely);
      for (const listener of entry.listeners) listener.active = false;
      remove(entry);
    } else retryTopic(entry, error, retryAfterMs);
    return true;
  };

  const connection = createConnection({
    // transports, getToken, headers, backoff and debug as given; the connection ignores the client's other options.
    ...options,
    url,
    platform,
    minUptimeMs,
    connectTimeoutMs: timerMs(options.connectTimeoutMs, 10_000),
    transportSkipMs: timerMs(options.transportSkipMs, 60_000),
    retryNowWindowMs,
    heartbeatGraceMs: timerMs(options.heartbeatGraceMs, 5000),
    pauseWhenHidden: options.pauseWhenHidden ?? false,
    topics: () => [...topics.values()].map(request),
    subscribed(frame) {
      const entry = topics.get(frame.topic);
      if (!entry) return;
      // A position followed by a replay may be the replay's start or end depending on the server: only
      // trust it when nothing is replayed, and let the replayed messages move the position otherwise.
      if (frame.replayed === 0 || !frame.recovered) entry.position = frame.position;
      platform.clearTimeout(entry.retryTimer);
      entry.retryTimer = undefined;
      entry.liveSince = platform.now();
      setTopicState(entry, { status: 'live', error: null, recovered: frame.recovered, nextRetryAt: null }, safely);
      entry.skip = !entry.resumed && entry.history !== undefined ? Math.max(0, frame.replayed - entry.history) : 0;
      if (entry.confirmed && frame.recovered) return;
      entry.confirmed = true;
      const event = eventOf(entry, frame);
      for (const listener of [...entry.listeners]) safely(() => listener.options.onSubscribed?.(event));
    },
    messages(messages) {
      for (const message of messages) {
        const entry = topics.get(message.topic);
        if (!entry) continue;
        const last = entry.position;
        if (last && last.epoch === message.epoch && message.offset <= last.offset) continue;
        // The first `skip` replayed messages are the excess of a shared history: drop them by their place
        // in the replay, before dedup (which may already have eaten some of them).
        if (entry.skip > 0) {
          entry.skip--;
          entry.position = { offset: message.offset, epoch: message.epoch };
          continue;
        }
        if (dedup.seen(`${message.topic}\n${message.id}`)) continue;
        entry.position = { offset: message.offset, epoch: message.epoch };
        notifyConflated(entry, message, safely);
        delivery.push(entry, message);
      }
      delivery.schedule();
    },
    // Presence is attached on first use (`joinPresence`), so clients that never use it do not bundle it.
    opened: (connectionId) => presence?.opened(connectionId),
    presence: (frame, tag) => presence?.frame(frame, tag),
    pollPresence: (query) => presence?.poll(query),
    error(body) {
      options.debug?.('error', body);
      if (presence?.error(body)) return;
      if (body.topic) topicError(body.topic, clientErrorOfBody(body), body.retryAfterMs);
    },
    rejectTopic: (topic, error) => topicError(topic, error),
    dropped() {
      presence?.dropped();
      for (const entry of topics.values()) {
        entry.confirmed = false;
        entry.liveSince = undefined;
        platform.clearTimeout(entry.retryTimer);
        entry.retryTimer = undefined;
        setTopicState(entry, { status: 'resubscribing', nextRetryAt: null }, safely);
      }
    },
  });

  // Topics waiting for the connection share its retry time and error.
  connection.onState((state) => {
    if (state.status !== 'reconnecting') return;
    for (const entry of topics.values()) {
      if (entry.state.status === 'resubscribing' && entry.retryTimer === undefined) {
        setTopicState(entry, { status: 'resubscribing', nextRetryAt: state.nextRetryAt, error: state.error }, safely);
      }
    }
  });

  const publisher = lazyPublisher(loadPublishing, {
    // getToken and headers as given.
    ...options,
    url,
    platform,
    connection,
    timeoutMs: timerMs(options.publishTimeoutMs, 10_000),
    retries: options.publishRetries ?? 3,
  });

  let presence: Presence | undefined;
  const client = {
    [presenceSeam]: (make: (...deps: PresenceDeps) => Presence) => (presence ??= make(options, url, platform, connection, safely, client as RealtimeClient)),
    subscribe<T>(topic: string, subscribeOptions: SubscribeOptions<T>): Subscription {
      const listener: Listener = { options: subscribeOptions as SubscribeOptions<unknown>, active: true };
      if (!isValidTopic(topic)) {
        const error: ClientError = clientError('invalid_topic', `@qwik-realtime/core: invalid topic ${JSON.stringify(topic)}`, topic);
        const failed: TopicState = { topic, status: 'failed', error, recovered: true, nextRetryAt: null };
        queueMicrotask(() => {
          subscribeOptions.onError?.(error);
          subscribeOptions.onTopicState?.(failed);
        });
        return { topic, position: () => undefined, state: () => failed, unsubscribe: () => undefined };
      }
      let entry = topics.get(topic);
      if (!entry) {
        entry = createTopicEntry(topic, subscribeOptions as SubscribeOptions<unknown>);
        topics.set(topic, entry);
        entry.listeners.add(listener);
        connection.ensure();
        connection.subscribe(request(entry));
      } else {
        platform.clearTimeout(entry.teardown);
        entry.teardown = undefined;
        entry.listeners.add(listener);
        const current = entry;
        // Joining a live topic: tell this listener at once that it is subscribed.
        if (current.confirmed && current.position) {
          const event = eventOf(current, { recovered: true, position: current.position, replayed: 0 });
          queueMicrotask(() => listener.active && subscribeOptions.onSubscribed?.(event));
        }
      }
      const owner = entry;
      return {
        topic,
        position: () => owner.position,
        state: () => owner.state,
        unsubscribe() {
          if (!listener.active) return;
          listener.active = false;
          owner.listeners.delete(listener);
          if (owner.listeners.size || topics.get(topic) !== owner) return;
          const delay = timerMs(options.teardownDelayMs, 1000);
          if (delay <= 0) remove(owner);
          else owner.teardown = platform.setTimeout(() => !owner.listeners.size && remove(owner), delay);
        },
      };
    },
    publish: publisher.publish,
    getState: connection.state,
    onState: connection.onState,
    connect: connection.connect,
    close() {
      for (const entry of topics.values()) {
        platform.clearTimeout(entry.teardown);
        platform.clearTimeout(entry.retryTimer);
        for (const listener of entry.listeners) listener.active = false;
      }
      topics.clear();
      delivery.clear();
      publisher.close();
      presence?.close();
      connection.close();
    },
  };
  return client as RealtimeClient;
}
