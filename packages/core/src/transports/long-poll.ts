import { backoffDelay } from '../backoff.js';
import { decodeCursor } from '../protocol/cursor.js';
import type { ErrorBody } from '../protocol/codes.js';
import type { PollResponse } from '../protocol/frames.js';
import type { Transport } from '../transport.js';
import { closeReason } from './close-reason.js';
import { readJson } from './read-json.js';
import { reconnectWindow, serverMs, topicQuery } from './url.js';

/** Options of {@link longPollTransport}. */
export interface LongPollTransportOptions {
  /** Path under the mount URL. @default '/poll' */
  path?: string;
  /** `credentials` of the requests. @default 'include' */
  credentials?: RequestCredentials;
  /**
   * Most characters of one poll answer; a longer one is not read further and fails the poll like a broken
   * answer (retried with backoff). Keep it above the hub's `pollAnswerMaxBytes` (1 MiB by default) plus its largest message (an answer always holds at least one). @default 67108864 (64 Mi)
   */
  maxAnswerLength?: number;
}

/**
 * Long-poll transport over `fetch`, for networks that pass neither WebSocket nor streaming responses.
 * The server is stateless: each poll carries the cursor of the last answer, so a lost answer is simply
 * polled again with the same positions (and duplicates are dropped by id).
 * @example
 * createBaseClient({ url: '/realtime', transports: [webSocketTransport(), longPollTransport()] })
 */
export function longPollTransport(options: LongPollTransportOptions = {}): Transport {
  return {
    name: 'long-poll',
    connect(context, events) {
      // One controller per poll, not per session: Node's fetch keeps an abort listener on the signal it was
      // given until the request is garbage-collected, so a long session sharing one signal piles them up.
      let inFlight: AbortController | undefined;
      const topics = new Set(context.topics.map((t) => t.topic));
      const first = topicQuery(context.topics, 'cursor');
      let cursor = first.get('cursor');
      let done = false;
      let opened = false;
      const finish = (reason: Parameters<typeof events.closed>[0]) => {
        if (done) return;
        done = true;
        inFlight?.abort();
        events.closed(reason);
      };
      // Waiting polls whose answers came back at once with nothing in them, in a row.
      let idle = 0;
      const { platform } = context;
      let rest: unknown;
      const poll = async (): Promise<void> => {
        while (!done) await once();
      };
      const once = async (): Promise<void> => {
        const fetch = platform.fetch();
        if (!fetch) return finish({ code: 'internal', retry: 'retry_backoff', message: '@qwik-realtime/core: no fetch available', transportFault: true });
        const query = new URLSearchParams();
        for (const topic of topics) query.append('topic', topic);
        if (cursor) query.set('cursor', cursor);
        if (first.get('history')) query.set('history', first.get('history') as string);
        // The first poll of a session answers at once (it confirms credentials and opens the session).
        if (!opened) query.set('timeout', '0');
        else context.presence?.(query);
        const headers: Record<string, string> = { ...context.headers };
        if (context.token) headers.authorization = `Bearer ${context.token}`;
        const request = new AbortController();
        inFlight = request;
        const waited = opened;
        const sent = platform.now();
        const response = await fetch(`${context.url}${options.path ?? '/poll'}?${query}`, {
          headers,
          credentials: options.credentials ?? 'include',
          cache: 'no-store',
          signal: request.signal,
        });
        const body = await readJson<PollResponse | ErrorBody>(response, options.maxAnswerLength ?? 2 ** 26);
        if (done) return;
        if (!response.ok || !body || !('cursor' in body)) {
          return finish(closeReason(body as ErrorBody | undefined, response.ok ? 500 : response.status, response.headers.get('retry-after')));
        }
        if (!opened) {
          opened = true;
          events.open(serverMs(body.heartbeatMs) ?? 0);
          // Resumed topics the server did not mention were recovered in full: confirm them.
          const mentioned = new Set(body.subscriptions?.map((s) => s.topic));
          const positions = decodeCursor(body.cursor);
          for (const { topic, since } of context.topics) {
            // Own keys only: a topic named `constructor` must not read Object.prototype.constructor.
            const position = since ?? (positions && Object.hasOwn(positions, topic) ? positions[topic] : undefined);
            if (mentioned.has(topic) || !position) continue;
            const replayed = body.messages.filter((m) => m.topic === topic).length;
            events.subscribed({ type: 'subscribed', topic, recovered: true, position, replayed });
          }
        }
        for (const frame of body.subscriptions ?? []) if (!done) events.subscribed(frame);
        for (const frame of body.presence ?? []) if (!done) events.presence?.(frame, body.presenceTag);
        if (body.messages.length && !done) events.messages(body.messages);
        else events.alive();
        cursor = body.cursor;
        // The server is draining: come back (to another instance) within its window, from this cursor.
        const within = reconnectWindow(body);
        if (within !== undefined && !done) {
          events.reconnectWithin?.(within);
          finish({ code: 'server_shutdown', retry: 'retry_now', message: '@qwik-realtime/core: server draining', transportFault: false });
        }
        // The hub holds an empty poll for its poll timeout: empty answers at once in a row come from something
        // else (a cache that ignores no-store) and would be polled again at once, forever (540 polls/s seen):
        // back off. One alone is a closing hub's last answer: poll again at once (the refusal reconnects).
        const empty = !(body.messages.length || body.more || body.subscriptions?.length || body.presence?.length);
        if (!done && waited && empty && platform.now() - sent < 500) {
          if (idle++) await new Promise((resolve) => (rest = platform.setTimeout(resolve as () => void, backoffDelay(idle - 2, platform.random(), { capMs: 4000 }))));
        } else idle = 0;
      };
      poll().catch((error: unknown) => finish({ ...closeReason(), message: `@qwik-realtime/core: ${String(error)}` }));
      return {
        // New topics need a first poll of their own (positions, history): restart with the full set.
        subscribe: () => false,
        unsubscribe(topic) {
          topics.delete(topic);
        },
        close() {
          done = true;
          inFlight?.abort();
          platform.clearTimeout(rest);
        },
      };
    },
  };
}
