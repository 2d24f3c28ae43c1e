import type { ErrorBody } from '../protocol/codes.js';
import type { Transport } from '../transport.js';
import { closeReason } from './close-reason.js';
import { createSseDispatcher } from './sse-events.js';
import { topicQuery } from './url.js';

/** Status of a refused stream, read with one `fetch` (the body is not consumed beyond an error body). */
async function probe(url: string, fetch: typeof globalThis.fetch | undefined, withCredentials: boolean, controller: AbortController) {
  try {
    const response = await fetch!(url, { credentials: withCredentials ? 'include' : 'same-origin', signal: controller.signal });
    if (response.ok) return closeReason();
    const body = (await response.json().catch(() => undefined)) as ErrorBody | undefined;
    return closeReason(body, response.status, response.headers.get('retry-after'));
  } catch {
    return closeReason();
  } finally {
    controller.abort();
  }
}

/** Options of {@link eventSourceTransport}. */
export interface EventSourceTransportOptions {
  /** Path under the mount URL. @default '/sse' */
  path?: string;
  /** Send cookies cross-origin (`withCredentials`). @default false */
  withCredentials?: boolean;
  /**
   * Put the `getToken()` token in this query parameter (the hub must opt in with `allowQueryToken`;
   * tokens in URLs end up in logs, prefer cookies). @default undefined (no token in the URL)
   */
  tokenParam?: string;
}

/**
 * SSE over the native `EventSource`: the smallest transport, works with cookie auth and no headers.
 * Positions go in the `since` query parameter on every attempt; the server's `id:` also lets the
 * browser's own `Last-Event-ID` resume correctly.
 * @example
 * createBaseClient({ url: '/realtime', transports: [eventSourceTransport()] })
 */
export function eventSourceTransport(options: EventSourceTransportOptions = {}): Transport {
  return {
    name: 'sse',
    connect(context, events) {
      const EventSource = context.platform.EventSource();
      const query = topicQuery(context.topics, 'since');
      if (options.tokenParam && context.token) query.set(options.tokenParam, context.token);
      const dispatcher = createSseDispatcher(events);
      let done = false;
      let released = false;
      // Aborts the probe too when the connection gives up on this attempt (connect timeout, close()).
      const probing = new AbortController();
      let source: InstanceType<NonNullable<typeof EventSource>> | undefined;
      const close = () => {
        done = true;
        if (source) source.onerror = source.onmessage = null;
        source?.close();
      };
      if (!EventSource) {
        queueMicrotask(() => !done && (close(), events.closed({ code: 'internal', retry: 'retry_backoff', message: '@qwik-realtime/core: no EventSource available', transportFault: true })));
        return { subscribe: () => false, unsubscribe: () => undefined, close };
      }
      const url = `${context.url}${options.path ?? '/sse'}?${query}`;
      source = new EventSource(url, { withCredentials: !!options.withCredentials });
      // A payload the client cannot take (e.g. an id that is `{"toString":1}`) ends the stream like a loss:
      // thrown out of the event it would be an uncaught exception (Node's EventTarget: a crash).
      const take = (name: string | undefined, data: string) => {
        if (done) return;
        try {
          dispatcher.dispatch(name, data);
          if (!name) dispatcher.flush();
        } catch (error) {
          close();
          events.closed(closeReason({ message: `@qwik-realtime/core: ${error}` }));
        }
      };
      const on = (name: string) => source?.addEventListener(name, (event) => take(name, event.data));
      on('hello');
      on('subscribed');
      on('presence');
      on('ping');
      on('reconnect');
      on('error');
      source.onmessage = (event) => take(undefined, event.data);
      source.onerror = () => {
        if (done) return;
        // The native EventSource would reconnect by itself (readyState 0) with a fixed delay and no jitter;
        // the connection does it instead, with backoff and the client's own positions.
        const failedBeforeOpen = !dispatcher.opened && source?.readyState === 2;
        close();
        if (!failedBeforeOpen) return events.closed(closeReason(dispatcher.lastError));
        // Browsers hide the status of a refused EventSource, and no implementation shows its body (which
        // names a forbidden topic): ask once with fetch, so 401/403 stop instead of looping.
        void probe(url, context.platform.fetch(), !!options.withCredentials, probing).then((answer) => !released && events.closed(answer));
      };
      return {
        // Topics are in the URL: the connection restarts the stream with the new set.
        subscribe: () => false,
        // Messages of a dropped topic are ignored by the client until the next (re)connect.
        unsubscribe: () => undefined,
        close() {
          released = true;
          probing.abort();
          close();
        },
      };
    },
  };
}
