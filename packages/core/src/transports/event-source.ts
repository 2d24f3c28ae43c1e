import type { Transport } from '../transport.js';
import { closeReason } from './close-reason.js';
import { createSseDispatcher } from './sse-events.js';
import { topicQuery } from './url.js';

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
      let source: InstanceType<NonNullable<typeof EventSource>> | undefined;
      const close = () => {
        done = true;
        if (source) source.onerror = source.onmessage = null;
        source?.close();
      };
      if (!EventSource) {
        queueMicrotask(() => !done && (close(), events.closed({ code: 'internal', retry: 'retry_backoff', message: '@qwik-realtime/core: no EventSource available' })));
        return { subscribe: () => false, unsubscribe: () => undefined, close };
      }
      source = new EventSource(`${context.url}${options.path ?? '/sse'}?${query}`, { withCredentials: !!options.withCredentials });
      const on = (name: string) =>
        source?.addEventListener(name, (event) => {
          if (!done) dispatcher.dispatch(name, event.data);
        });
      on('hello');
      on('subscribed');
      on('ping');
      on('error');
      source.onmessage = (event) => {
        if (done) return;
        dispatcher.dispatch(undefined, event.data);
        dispatcher.flush();
      };
      source.onerror = (event) => {
        if (done) return;
        // The native EventSource would reconnect by itself (readyState 0) with a fixed delay and no jitter;
        // the connection does it instead, with backoff and the client's own positions.
        const status = (event as { code?: number }).code;
        close();
        events.closed(closeReason(dispatcher.lastError, dispatcher.opened ? undefined : status));
      };
      return {
        // Topics are in the URL: the connection restarts the stream with the new set.
        subscribe: () => false,
        // Messages of a dropped topic are ignored by the client until the next (re)connect.
        unsubscribe: () => undefined,
        close,
      };
    },
  };
}
