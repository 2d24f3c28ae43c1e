import type { Principal } from './auth.js';
import { serveFetch } from './fetch.js';
import type { Hub } from './hub.js';
import { contextOf } from './hub-context.js';

/**
 * The part of Qwik City's `RequestEvent` the handlers use, typed structurally so this package does not
 * depend on `@builder.io/qwik-city`.
 */
export interface RequestEventLike {
  request: Request;
  /** Qwik City's `send(response)`: streams the response body to the client. */
  send(response: Response): unknown;
  /** Qwik City's client connection (the default rate-limit key of `POST /publish` is its `ip`). */
  clientConn?: { ip?: string };
}

/** Options of {@link qwikCityHandlers}. */
export interface QwikCityHandlersOptions {
  /**
   * The key `POST /publish` is rate-limited by. @default `event.clientConn.ip`, then as for
   * `createFetchHandler` (trusted `X-Forwarded-For`, the principal's `id`, one shared bucket)
   */
  clientKey?: (event: RequestEventLike) => string | undefined;
}

/** Qwik City request handlers for a catch-all route (see {@link qwikCityHandlers}). */
export interface QwikCityHandlers {
  onGet: (event: RequestEventLike) => Promise<void>;
  onPost: (event: RequestEventLike) => Promise<void>;
}

/**
 * `onGet` (SSE, long-poll) and `onPost` (publish) for a Qwik City catch-all route under the hub's mount path.
 * Requests for other paths fall through to the next handler. WebSocket upgrades do not go through Qwik City:
 * use `attachHub` on the Node server (or `realtimeVitePlugin` in dev). The handlers never throw: every
 * request under the mount path gets an answer.
 * @example
 * // src/routes/realtime/[...path]/index.ts
 * export const { onGet, onPost } = qwikCityHandlers(hub);
 */
export function qwikCityHandlers<P extends Principal>(hub: Hub<P>, handlerOptions: QwikCityHandlersOptions = {}): QwikCityHandlers {
  const ctx = contextOf<P>(hub);
  const keyOf = handlerOptions.clientKey ?? ((event: RequestEventLike) => event.clientConn?.ip);
  const serve = async (event: RequestEventLike) => {
    let key: string | undefined;
    try {
      key = keyOf(event);
    } catch (error) {
      ctx.options.onError(error);
    }
    const response = await serveFetch(ctx, event.request, key);
    if (response) event.send(response);
  };
  return { onGet: serve, onPost: serve };
}
