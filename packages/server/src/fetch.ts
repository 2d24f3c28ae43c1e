import type { Principal } from './auth.js';
import { webExchange } from './exchange.js';
import type { Hub } from './hub.js';
import { contextOf } from './hub-context.js';
import { endpointOf, serveHttp } from './router.js';

/**
 * Serve the HTTP endpoints (SSE, long-poll, publish) from any Fetch-API server: `Request` in, `Response`
 * out (SSE as a streaming body). Resolves to `undefined` for paths outside the hub.
 * @example
 * const handle = createFetchHandler(hub);
 * export default { fetch: async (request) => (await handle(request)) ?? new Response('not found', { status: 404 }) };
 */
export function createFetchHandler<P extends Principal>(hub: Hub<P>): (request: Request) => Promise<Response | undefined> {
  const ctx = contextOf<P>(hub);
  return (request) => {
    const endpoint = endpointOf(ctx.options.path, new URL(request.url).pathname);
    if (!endpoint) return Promise.resolve(undefined);
    return new Promise<Response>((resolve, reject) => {
      serveHttp(ctx, endpoint, webExchange(request, resolve)).catch(reject);
    });
  };
}
