import type { Principal } from './auth.js';
import { createFetchHandler } from './fetch.js';
import type { Hub } from './hub.js';

/**
 * The part of Qwik City's `RequestEvent` the handlers use, typed structurally so this package does not
 * depend on `@builder.io/qwik-city`.
 */
export interface RequestEventLike {
  request: Request;
  /** Qwik City's `send(response)`: streams the response body to the client. */
  send(response: Response): unknown;
}

/** Qwik City request handlers for a catch-all route (see {@link qwikCityHandlers}). */
export interface QwikCityHandlers {
  onGet: (event: RequestEventLike) => Promise<void>;
  onPost: (event: RequestEventLike) => Promise<void>;
}

/**
 * `onGet` (SSE, long-poll) and `onPost` (publish) for a Qwik City catch-all route under the hub's mount path.
 * Requests for other paths fall through to the next handler. WebSocket upgrades do not go through Qwik City:
 * use `attachHub` on the Node server (or `realtimeVitePlugin` in dev).
 * @example
 * // src/routes/realtime/[...path]/index.ts
 * export const { onGet, onPost } = qwikCityHandlers(hub);
 */
export function qwikCityHandlers<P extends Principal>(hub: Hub<P>): QwikCityHandlers {
  const handle = createFetchHandler(hub);
  const serve = async (event: RequestEventLike) => {
    const response = await handle(event.request);
    if (response) event.send(response);
  };
  return { onGet: serve, onPost: serve };
}
