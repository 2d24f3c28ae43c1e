import type { Principal } from './auth.js';
import { RealtimeError, toRealtimeError } from './errors.js';
import { webExchange } from './exchange.js';
import type { Hub } from './hub.js';
import { contextOf } from './hub-context.js';
import type { HubContext } from './hub-context.js';
import { endpointOf, serveHttp } from './router.js';

/** Options of {@link createFetchHandler}. */
export interface FetchHandlerOptions {
  /**
   * The key `POST /publish` is rate-limited by: the client's address as your server knows it (Fetch-API
   * requests carry none). Without it (or when it returns `undefined`): the last `X-Forwarded-For` entry when
   * the hub's `trustProxy` is on, else the principal's `id`, else one bucket shared by every publisher of
   * this handler — safe, but one noisy client then slows down all of them.
   */
  clientKey?: (request: Request) => string | undefined;
}

/** Answer `request` if it is for the hub; never rejects (errors become a JSON `ErrorBody` response). */
export async function serveFetch<P extends Principal>(ctx: HubContext<P>, request: Request, clientKey: string | undefined): Promise<Response | undefined> {
  try {
    let pathname: string;
    try {
      pathname = new URL(request.url).pathname;
    } catch {
      throw new RealtimeError('bad_request', 'malformed request URL');
    }
    const endpoint = endpointOf(ctx.options.path, pathname);
    if (!endpoint) return undefined;
    return await new Promise<Response>((resolve, reject) => {
      serveHttp(ctx, endpoint, webExchange(request, resolve, clientKey)).catch(reject);
    });
  } catch (error) {
    const realtime = toRealtimeError(error);
    if (realtime.code === 'internal') ctx.options.onError(error);
    return new Response(JSON.stringify(realtime.toBody()), { status: realtime.status, headers: { 'content-type': 'application/json; charset=utf-8' } });
  }
}

/**
 * Serve the HTTP endpoints (SSE, long-poll, publish) from any Fetch-API server: `Request` in, `Response`
 * out (SSE as a streaming body). Resolves to `undefined` for paths outside the hub; never rejects.
 * @example
 * const handle = createFetchHandler(hub, { clientKey: (request) => addresses.get(request) });
 * export default { fetch: async (request) => (await handle(request)) ?? new Response('not found', { status: 404 }) };
 */
export function createFetchHandler<P extends Principal>(hub: Hub<P>, handlerOptions: FetchHandlerOptions = {}): (request: Request) => Promise<Response | undefined> {
  const ctx = contextOf<P>(hub);
  return (request) => {
    let key: string | undefined;
    try {
      key = handlerOptions.clientKey?.(request);
    } catch (error) {
      ctx.options.onError(error);
    }
    return serveFetch(ctx, request, key);
  };
}
