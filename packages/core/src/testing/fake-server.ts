import { clientError } from '../errors.js';
import { retryPolicyOf } from '../protocol/codes.js';
import type { ErrorCode } from '../protocol/codes.js';
import type { Envelope, Position } from '../protocol/envelope.js';
import type { PublishAck, PublishRequest, SubscribedFrame } from '../protocol/frames.js';
import type { TopicRequest, Transport, TransportEvents } from '../transport.js';
import type { TransportName } from '../types.js';
import { createFakePresence } from './fake-presence.js';
import type { FakePresence } from './fake-presence.js';

/**
 * An in-memory stand-in for the hub, driving a fake transport. It implements the protocol's semantics
 * (offsets, epochs, replay `since` a position, `recovered: false`, idempotent publish) without sockets.
 *
 * To extend it: add a method here that acts on `sessions` (calling their `events` exactly as a real
 * transport would: `open` first, then `subscribed`/`messages`, `closed` at most once) and keep every
 * callback asynchronous (a microtask), as a network would be.
 */
export interface FakeServer extends FakePresence {
  /**
   * Publish a message as the server would (assigns the next offset); delivered to subscribed sessions.
   * `conflated: N` acts as a hub conflating a slow connection: N offsets are skipped and the message says so.
   */
  publish<T>(topic: string, data: T, options?: { id?: string; conflated?: number }): Envelope<T>;
  /** Drop every open session. With a code, the client reacts with that code's retry policy. */
  drop(code?: ErrorCode): void;
  /** Refuse every following connection attempt with `code` (`null`: accept again). */
  fail(code: ErrorCode | null): void;
  /**
   * Send a topic-level error to every session subscribed to `topic` and drop that subscription, as the hub
   * does (`forbidden` leaves the topic failed; a retryable code such as `broker_unavailable` makes the
   * client resubscribe it with backoff). `retryAfterMs` is the server's hint, as a hub at its cap sends it.
   */
  error(topic: string, code: ErrorCode, message?: string, retryAfterMs?: number): void;
  /** Announce a drain (`reconnectWithinMs`) to every open session, then drop them with `server_shutdown`. */
  drain(reconnectWithinMs: number): void;
  /** Lose all history (new epoch per topic) and drop the sessions, like a restarted memory broker. */
  restart(): void;
  /** How many open sessions are subscribed to `topic`. */
  subscribers(topic: string): number;
  /** Everything the client published, in order (duplicates included). */
  readonly published: PublishRequest[];
  /** Connection attempts so far. */
  readonly attempts: number;
  /** Tokens the attempts carried (from the client's `getToken`), in order. */
  readonly tokens: (string | undefined)[];
  /** Whether a session is open. */
  readonly connected: boolean;
  /** Wait until pending deliveries and microtasks have run. */
  flush(): Promise<void>;
}

interface Topic {
  epoch: string;
  messages: Envelope[];
  head: number;
  ids: Set<string>;
}

interface Session {
  id: string;
  events: TransportEvents;
  topics: Set<string>;
  open: boolean;
  done: boolean;
}

let epochs = 0;

/** Options of {@link createFakeTransport}. */
export interface FakeTransportOptions {
  /** Name the transport reports in the connection state. @default 'websocket' */
  name?: TransportName;
  /** History kept per topic. @default 1000 */
  historySize?: number;
  /** Heartbeat the fake server announces. @default 86400000 (a day: it never expires in tests) */
  heartbeatMs?: number;
}

/**
 * A transport connected to an in-memory {@link FakeServer}. Use it with `createBaseClient` for full control,
 * or use `createTestClient()`.
 * @example
 * const { transport, server } = createFakeTransport();
 * const client = createBaseClient({ url: '/realtime', transports: [transport] });
 */
export function createFakeTransport(options: FakeTransportOptions = {}): { transport: Transport; server: FakeServer } {
  const historySize = options.historySize ?? 1000;
  const topics = new Map<string, Topic>();
  const sessions = new Set<Session>();
  const published: PublishRequest[] = [];
  const tokens: (string | undefined)[] = [];
  let failure: ErrorCode | null = null;
  let ids = 0;
  const later = (call: () => void) => queueMicrotask(call);
  const topicOf = (name: string) => {
    let topic = topics.get(name);
    if (!topic) topics.set(name, (topic = { epoch: `fake${++epochs}`, messages: [], head: 0, ids: new Set() }));
    return topic;
  };
  const live = (session: Session) => !session.done && sessions.has(session);
  const presence = createFakePresence(later, (owner) => live(owner as Session));
  const end = (session: Session, code?: ErrorCode) => {
    if (session.done) return;
    session.done = true;
    sessions.delete(session);
    presence.end(session);
    session.events.closed(code ? { code, retry: retryPolicyOf(code), message: `fake server: ${code}` } : { code: 'disconnected', retry: 'retry_backoff', message: 'fake server: dropped' });
  };

  const subscribe = (session: Session, { topic: name, since, history }: TopicRequest) => {
    const topic = topicOf(name);
    const head: Position = { offset: topic.head, epoch: topic.epoch };
    const oldest = topic.head - topic.messages.length;
    let replay: Envelope[] = [];
    let recovered = true;
    let position = head;
    if (since) {
      recovered = since.epoch === topic.epoch && since.offset >= oldest && since.offset <= topic.head;
      if (recovered) {
        replay = topic.messages.slice(since.offset - oldest);
        position = since;
      }
    } else if (history) {
      replay = topic.messages.slice(-history);
      position = { offset: topic.head - replay.length, epoch: topic.epoch };
    }
    session.topics.add(name);
    const frame: SubscribedFrame = { type: 'subscribed', topic: name, recovered, position, replayed: replay.length };
    session.events.subscribed(frame);
    if (replay.length) session.events.messages(replay);
  };

  const accept = (topic: string, data: unknown, id?: string, conflated = 0): { message: Envelope; duplicate: boolean } => {
    const state = topicOf(topic);
    if (id && state.ids.has(id)) {
      const original = state.messages.find((m) => m.id === id);
      if (original) return { message: original, duplicate: true };
    }
    const store = (messageId: string): Envelope => {
      const stored: Envelope = { id: messageId, topic, data, timestamp: Date.now(), offset: ++state.head, epoch: state.epoch };
      state.messages.push(stored);
      state.ids.add(stored.id);
      if (state.messages.length > historySize) state.ids.delete(state.messages.shift()?.id ?? '');
      return stored;
    };
    // Conflated: the dropped ones are in history (a resume replays them), only the live delivery skips them.
    for (let i = 0; i < conflated; i++) store(`fake-${++ids}`);
    const message = store(id ?? `fake-${++ids}`);
    const delivered = conflated ? { ...message, conflated } : message;
    for (const session of sessions) if (session.open && session.topics.has(topic)) later(() => live(session) && session.events.messages([delivered]));
    return { message: delivered, duplicate: false };
  };

  const transport: Transport = {
    name: options.name ?? 'websocket',
    connect(context, events) {
      const session: Session = { id: `fake-conn-${tokens.length + 1}`, events, topics: new Set(), open: false, done: false };
      tokens.push(context.token);
      sessions.add(session);
      const refusal = failure;
      later(() => {
        if (!live(session)) return;
        if (refusal) return end(session, refusal);
        session.open = true;
        events.open(options.heartbeatMs ?? 86_400_000, session.id);
        for (const request of context.topics) if (live(session)) subscribe(session, request);
      });
      return {
        subscribe(request) {
          later(() => live(session) && session.open && subscribe(session, request));
          return true;
        },
        unsubscribe(topic) {
          session.topics.delete(topic);
        },
        publish(request) {
          published.push(request);
          return new Promise<PublishAck>((resolve, reject) =>
            later(() => {
              // The server stores the message even if the session died meanwhile: only the ack is lost.
              const { message, duplicate } = accept(request.topic, request.data, request.id);
              const { offset, epoch, id, topic, timestamp } = message;
              if (live(session)) resolve({ offset, epoch, id, topic, timestamp, duplicate });
              else reject(clientError('disconnected', 'fake server: connection lost before the ack'));
            }),
          );
        },
        presence: (frame) => presence.frame(session, frame),
        close() {
          session.done = true;
          sessions.delete(session);
          presence.end(session);
        },
      };
    },
  };

  const server: FakeServer = {
    ...presence.api,
    publish: (topic, data, publishOptions) => accept(topic, data, publishOptions?.id, publishOptions?.conflated).message as Envelope<typeof data>,
    drop(code) {
      for (const session of [...sessions]) end(session, code);
    },
    fail(code) {
      failure = code;
    },
    error(topic, code, message, retryAfterMs) {
      for (const session of sessions) {
        if (!session.topics.has(topic)) continue;
        session.topics.delete(topic);
        const body = { code, message: message ?? `fake server: ${code}`, topic, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
        later(() => live(session) && session.events.error(body));
      }
    },
    drain(reconnectWithinMs) {
      for (const session of [...sessions]) {
        if (!session.open) continue;
        session.events.reconnectWithin?.(reconnectWithinMs);
        end(session, 'server_shutdown');
      }
    },
    restart() {
      for (const topic of topics.values()) {
        topic.epoch = `fake${++epochs}`;
        topic.messages = [];
        topic.ids.clear();
        topic.head = 0;
      }
      server.drop('server_shutdown');
    },
    subscribers: (topic) => [...sessions].filter((s) => s.open && s.topics.has(topic)).length,
    published,
    get attempts() {
      return tokens.length;
    },
    tokens,
    get connected() {
      return [...sessions].some((s) => s.open);
    },
    async flush() {
      for (let i = 0; i < 10; i++) await Promise.resolve();
    },
  };
  return { transport, server };
}
