import { clientError, clientErrorOfBody } from '../errors.js';
import { errorCodeOfCloseCode, retryPolicyOfCloseCode } from '../protocol/codes.js';
import type { ErrorBody } from '../protocol/codes.js';
import type { Envelope } from '../protocol/envelope.js';
import type { ClientFrame, PublishAck, ServerFrame } from '../protocol/frames.js';
import type { Transport, TopicRequest } from '../transport.js';
import { closeReason } from './close-reason.js';
import { parseJson, reconnectWindow, serverMs, topicQuery } from './url.js';

/** Options of {@link webSocketTransport}. */
export interface WebSocketTransportOptions {
  /** Path under the mount URL. @default '/ws' */
  path?: string;
  /**
   * Name the topics known at connect (and their cursors) in the upgrade URL, as SSE does, so the hub
   * subscribes them without a round trip. `false` keeps them out of URLs (and so out of access logs) and
   * sends every subscribe as a frame. @default true
   */
  topicsInUrl?: boolean;
}

/** Longest upgrade URL that carries the topics; past it they go as frames once the socket opens. */
const MAX_URL = 4096;

/**
 * Absolute ws(s) URL of `url` (which may be relative to the page), with `topics` in the query as SSE has them
 * (the hub subscribes them first: no round trip) when they fit and share one `history`; else `topics` is
 * left for the caller to send as frames. Returns the URL and whether the topics are in it.
 */
function socketUrl(url: string, topics: TopicRequest[]): [string, boolean] {
  let absolute: URL;
  try {
    absolute = new URL(url, (globalThis as { location?: { href: string } }).location?.href);
  } catch {
    // `connect` must not throw: the WebSocket constructor refuses this URL inside its try (bad_request).
    return [url, false];
  }
  // This client parses batch frames (docs/protocol.md, "Batch frames").
  absolute.searchParams.set('batch', '1');
  const plain = absolute.href.replace(/^http/, 'ws');
  const query = topicQuery(topics, 'since');
  const history = Number(query.get('history')) || 0;
  const withTopics = `${plain}&${query}`;
  return topics.length && withTopics.length <= MAX_URL && topics.every((topic) => topic.since || (topic.history || 0) == history) ? [withTopics, true] : [plain, false];
}

/**
 * WebSocket transport: JSON frames, live subscribe/unsubscribe on one socket, publish with ack over the
 * socket. A token from `getToken` is sent as the first frame (browsers cannot set headers on a WebSocket).
 * @example
 * createBaseClient({ url: '/realtime', transports: [webSocketTransport()] })
 */
export function webSocketTransport(options: WebSocketTransportOptions = {}): Transport {
  return {
    name: 'websocket',
    connect(context, events) {
      const pending = new Map<string, { resolve: (ack: PublishAck) => void; reject: (error: unknown) => void }>();
      let done = false;
      let lastError: ErrorBody | undefined;
      let hello = false;
      let opened = false;
      const [address, topicsInUrl] = socketUrl(`${context.url}${options.path ?? '/ws'}`, options.topicsInUrl == false ? [] : context.topics);
      // By topic: a topic toggled 100,000 times before the socket opens costs one frame on open, not 100,000.
      const queued = new Map<string, TopicRequest>(topicsInUrl ? [] : context.topics.map((t) => [t.topic, t]));
      // URL topics unsubscribed before the socket opened: the hub subscribes them anyway, so say it on open.
      const unwanted = new Set<string>();
      const rejectAll = () => {
        for (const { reject } of pending.values()) reject(clientError('disconnected', '@qwik-realtime/core: connection lost before the ack'));
        pending.clear();
      };
      const WebSocket = context.platform.WebSocket();
      let socket: ReturnType<typeof make> | undefined;
      const make = (Ctor: NonNullable<typeof WebSocket>) => new Ctor(address);
      // Subscribes sent and not answered yet. The hub handles a connection's frames one at a time, so one it
      // never answers (a hook or read that never settles) silently holds back every later frame: past
      // `answerTimeoutMs` without any answer the session is ended and the reconnect resubscribes from the cursors.
      const unanswered = new Set<string>();
      let answerTimer: unknown;
      /** (Re)start the limit from now while a subscribe waits; stop it when none does. */
      const watchAnswers = () => {
        context.platform.clearTimeout(answerTimer);
        const limit = context.answerTimeoutMs;
        answerTimer = unanswered.size && limit ? context.platform.setTimeout(() => abandon(`no answer to a subscribe within ${limit} ms`, true), limit) : undefined;
      };
      /** An answer arrived (about `topic`, when named): the hub's frame queue moves. */
      const answered = (topic?: string) => {
        if (topic) unanswered.delete(topic);
        if (answerTimer) watchAnswers();
      };
      const send = (frame: ClientFrame) => {
        if (socket?.readyState !== 1) return;
        socket.send(JSON.stringify(frame));
        if (frame.type == 'subscribe' && !unanswered.has(frame.topic)) {
          unanswered.add(frame.topic);
          answerTimer || watchAnswers();
        }
      };
      const subscribeFrame = ({ topic, since, history }: TopicRequest): ClientFrame =>
        since ? { type: 'subscribe', topic, since } : history ? { type: 'subscribe', topic, history } : { type: 'subscribe', topic };
      // The last subscribe or unsubscribe of each topic in this tick, sent together (the hub treats a subscribe
      // of a live topic as a resubscribe): a topic toggled 100,000 times in a tick (teardownDelayMs 0) sent
      // 200,000 frames, and the hub closed the connection for rate_limited.
      let intents: Map<string, ClientFrame> | undefined;
      const intend = (topic: string, frame: ClientFrame) => {
        if (!intents) {
          const tick = (intents = new Map());
          queueMicrotask(() => {
            intents = undefined;
            for (const next of tick.values()) send(next);
          });
        }
        intents.delete(topic);
        intents.set(topic, frame);
      };
      const finish = (reason: Parameters<typeof events.closed>[0]) => {
        if (done) return;
        done = true;
        context.platform.clearTimeout(answerTimer);
        rejectAll();
        events.closed(reason);
      };
      /** End the session from this side, retried with backoff (`stuck`: the hub, not the network). */
      const abandon = (why: string, stuck?: boolean) => {
        if (done) return;
        socket!.onclose = null;
        socket!.close();
        finish({ ...closeReason(), message: `@qwik-realtime/core: ${why}`, ...(stuck && { transportFault: false }) });
      };

      if (!WebSocket) {
        queueMicrotask(() => finish({ code: 'internal', retry: 'retry_backoff', message: '@qwik-realtime/core: no WebSocket available', transportFault: true }));
      } else {
        try {
          socket = make(WebSocket);
        } catch (error) {
          queueMicrotask(() => finish({ code: 'bad_request', retry: 'retry_backoff', message: `@qwik-realtime/core: ${String(error)}`, transportFault: true }));
        }
      }
      if (socket) {
        socket.onopen = () => {
          if (context.token) send({ type: 'auth', token: context.token });
          // Without waiting for `hello`: the hub handles a connection's frames in order, the subscribes after
          // the auth frame has made the session (docs/protocol.md, WebSocket). A reconnect saves a round trip.
          opened = true;
          // The URL's topics are subscribes sent like any other: their answers are awaited the same way.
          if (topicsInUrl) for (const { topic } of context.topics) unanswered.add(topic);
          for (const topic of unwanted) send({ type: 'unsubscribe', topic });
          for (const topic of queued.values()) send(subscribeFrame(topic));
          queued.clear();
          answerTimer || watchAnswers();
        };
        // A batch frame carries several frames, one per line (docs/protocol.md, "Batch frames"); the messages
        // of one WebSocket message reach the client as one batch.
        let batch: Envelope[] = [];
        const flushBatch = () => {
          const messages = batch;
          batch = [];
          if (messages.length > 0 && !done) events.messages(messages);
        };
        socket.onmessage = (event) => {
          if (done || typeof event.data !== 'string') return;
          try {
            for (const line of event.data.split('\n')) {
              const frame = parseJson<ServerFrame>(line);
              if (frame && !done) onFrame(frame);
            }
            flushBatch();
          } catch (error) {
            // A frame the client cannot take (e.g. an id that is `{"toString":1}`) ends the session like a
            // network loss: thrown out of a socket event it would be an uncaught exception (Node: a crash).
            abandon(String(error));
          }
        };
        const onFrame = (frame: ServerFrame) => {
          if (frame.type !== 'message') flushBatch();
          switch (frame.type) {
            case 'message': {
              const { type: _, ...message } = frame;
              batch.push(message);
              break;
            }
            case 'hello':
              // Only the first opens the session: another would arm a second watchdog that no beat reaches.
              if (hello) break;
              hello = true;
              events.open(serverMs(frame.heartbeatMs) ?? 0, frame.connectionId);
              break;
            case 'subscribed':
              answered(frame.topic);
              events.subscribed(frame);
              break;
            case 'presence':
              // With a ref: the answer to our join (broadcasts of others' joins have none and prove nothing).
              if (frame.ref) answered();
              events.presence?.(frame);
              break;
            case 'unsubscribed':
              answered();
              events.alive();
              break;
            case 'ack': {
              answered();
              const { type: _, ref, ...ack } = frame;
              pending.get(ref)?.resolve(ack);
              pending.delete(ref);
              events.alive();
              break;
            }
            case 'error': {
              const { type: _, ...body } = frame;
              // An error with a ref answers a publish or presence join, never the subscribe of its topic.
              answered(body.ref ? undefined : body.topic);
              body.retryAfterMs = serverMs(body.retryAfterMs);
              // A refused presence join (the client names those refs `presence:…`).
              if (typeof body.ref == 'string' && body.ref.startsWith('presence:')) events.error(body);
              else if (body.ref) {
                // The answer to a publish (possibly one given up on already): never about a subscription.
                // `retryAfterMs` (a rate-limited publish) rides along: the publisher's retry waits at least that long.
                pending.get(body.ref)?.reject(body.retryAfterMs ? { ...clientErrorOfBody(body), retryAfterMs: body.retryAfterMs } : clientErrorOfBody(body));
                pending.delete(body.ref);
              } else if (body.topic) events.error(body);
              else lastError = body;
              break;
            }
            case 'reconnect': {
              // A drain announcement, just before close 3001: spread the reconnect over its window.
              const within = reconnectWindow(frame);
              if (within !== undefined) events.reconnectWithin?.(within);
              events.alive();
              break;
            }
            default:
              events.alive();
          }
        };
        socket.onerror = () => undefined;
        socket.onclose = ({ code, reason }) => {
          // Our hub ends a connection on purpose only with a 3xxx code; an `error` frame without a topic or
          // ref may also be a warning the session survived (a malformed frame, `rate_limited`), so it must
          // not decide how a later network loss (1006) is handled: a stale `bad_request` would stop the client.
          if (code < 3000) return finish(closeReason());
          const reasonOf = closeReason({ ...lastError, code: errorCodeOfCloseCode(code) ?? lastError?.code ?? 'disconnected' });
          // The server itself closed: nothing about the transport.
          finish({ ...reasonOf, retry: retryPolicyOfCloseCode(code), message: reason || reasonOf.message, transportFault: false });
        };
      }

      return {
        subscribe(request) {
          if (opened) intend(request.topic, subscribeFrame(request));
          else queued.set(request.topic, request);
          return true;
        },
        unsubscribe(topic) {
          if (opened) return intend(topic, { type: 'unsubscribe', topic });
          queued.delete(topic);
          if (topicsInUrl) unwanted.add(topic);
        },
        presence(frame) {
          if (hello) send(frame);
        },
        publish(request, ref, signal) {
          if (socket?.readyState !== 1) return Promise.reject(clientError('disconnected', '@qwik-realtime/core: not connected'));
          return new Promise<PublishAck>((resolve, reject) => {
            pending.set(ref, { resolve, reject });
            signal?.addEventListener('abort', () => {
              if (!pending.delete(ref)) return;
              reject(clientError('disconnected', '@qwik-realtime/core: publish abandoned'));
            });
            send({ type: 'publish', ...request, ref });
          });
        },
        close() {
          if (done) return;
          done = true;
          context.platform.clearTimeout(answerTimer);
          rejectAll();
          if (socket) {
            socket.onopen = socket.onmessage = socket.onclose = null;
            socket.onerror = () => undefined;
            socket.close(1000);
          }
        },
      };
    },
  };
}
