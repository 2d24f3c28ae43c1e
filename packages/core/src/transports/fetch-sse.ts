import { createParser } from 'eventsource-parser';
import type { ErrorBody } from '../protocol/codes.js';
import type { Transport } from '../transport.js';
import { closeReason } from './close-reason.js';
import { readJson } from './read-json.js';
import { createSseDispatcher } from './sse-events.js';
import { topicQuery } from './url.js';

/** Options of {@link fetchSseTransport}. */
export interface FetchSseTransportOptions {
  /** Path under the mount URL. @default '/sse' */
  path?: string;
  /** `credentials` of the request. @default 'include' */
  credentials?: RequestCredentials;
  /**
   * Most characters the stream may carry without completing an event (one line without its end, or lines
   * without the blank line after them). Past it the stream ends with `message_too_large` and the client
   * stops: a server that never ends a line must not fill the page's memory. Keep it above the hub's
   * `maxMessageBytes`. @default 16777216 (16 Mi)
   */
  maxEventLength?: number;
}

/**
 * SSE over `fetch` with a streaming parser (`eventsource-parser`): can send headers, so the token from
 * `getToken()` (called before every attempt) goes in `Authorization: Bearer`, and the real HTTP status is
 * known (401/403 stop instead of looping).
 * @example
 * createBaseClient({ url: '/realtime', transports: [fetchSseTransport()], getToken: () => auth.token() })
 */
export function fetchSseTransport(options: FetchSseTransportOptions = {}): Transport {
  return {
    name: 'fetch-sse',
    connect(context, events) {
      const controller = new AbortController();
      const dispatcher = createSseDispatcher(events);
      let done = false;
      const finish = (reason: Parameters<typeof events.closed>[0]) => {
        if (done) return;
        done = true;
        controller.abort();
        events.closed(reason);
      };
      const run = async () => {
        const fetch = context.platform.fetch();
        if (!fetch) return finish({ code: 'internal', retry: 'retry_backoff', message: '@qwik-realtime/core: no fetch available', transportFault: true });
        const headers: Record<string, string> = { ...context.headers, accept: 'text/event-stream' };
        if (context.token) headers.authorization = `Bearer ${context.token}`;
        const response = await fetch(`${context.url}${options.path ?? '/sse'}?${topicQuery(context.topics, 'since')}`, {
          headers,
          credentials: options.credentials ?? 'include',
          cache: 'no-store',
          signal: controller.signal,
        });
        const type = response.headers.get('content-type') ?? '';
        if (!response.ok || !response.body || !type.startsWith('text/event-stream')) {
          const body = await readJson<ErrorBody>(response, 65_536);
          const reason = closeReason(body, response.status === 200 ? 500 : response.status, response.headers.get('retry-after'));
          // A 200 that is not a stream comes from something between us and the hub (a buffering proxy).
          return finish(response.ok ? { ...reason, transportFault: true } : reason);
        }
        const parser = createParser({
          // What the parser holds for an unfinished line or event is bounded (it keeps it until the event ends).
          maxBufferSize: options.maxEventLength ?? 2 ** 24,
          onEvent: (event) => !done && dispatcher.dispatch(event.event, event.data),
          onRetry: (ms) => events.retryHint?.(ms),
          onError: (error) =>
            error.type === 'max-buffer-size-exceeded' &&
            finish(closeReason({ code: 'message_too_large', message: '@qwik-realtime/core: SSE event over maxEventLength' })),
        });
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        for (;;) {
          const { value, done: ended } = await reader.read();
          if (done) return;
          if (ended) break;
          parser.feed(decoder.decode(value, { stream: true }));
          dispatcher.flush();
        }
        finish(closeReason(dispatcher.lastError));
      };
      run().catch((error: unknown) => finish({ ...closeReason(dispatcher.lastError), message: `@qwik-realtime/core: ${String(error)}` }));
      return {
        subscribe: () => false,
        unsubscribe: () => undefined,
        close() {
          done = true;
          controller.abort();
        },
      };
    },
  };
}
