import type { Principal } from './auth.js';
import { RealtimeError } from './errors.js';
import type { HttpExchange } from './exchange.js';
import { sendError } from './handlers/common.js';
import { handlePoll } from './handlers/poll.js';
import { handlePresence } from './handlers/presence.js';
import { handlePublish } from './handlers/publish.js';
import { handleSse } from './handlers/sse.js';
import type { HubContext } from './hub-context.js';

/** Which endpoint a path names under the hub's mount path, if any. */
export type Endpoint = 'sse' | 'poll' | 'publish' | 'presence' | 'ws';

/** Match `pathname` against `{mount}/sse|poll|publish|presence|ws`. */
export function endpointOf(mount: string, pathname: string): Endpoint | undefined {
  if (!pathname.startsWith(`${mount}/`)) return undefined;
  const rest = pathname.slice(mount.length + 1).replace(/\/$/, '');
  return rest === 'sse' || rest === 'poll' || rest === 'publish' || rest === 'presence' || rest === 'ws' ? rest : undefined;
}

/** Run the HTTP endpoint (`ws` without an upgrade answers 426). */
export async function serveHttp<P extends Principal>(ctx: HubContext<P>, endpoint: Endpoint, exchange: HttpExchange): Promise<void> {
  const method = exchange.request.method.toUpperCase();
  const expected = endpoint === 'publish' || endpoint === 'presence' ? 'POST' : 'GET';
  if (endpoint === 'ws') {
    return exchange.send(426, { 'content-type': 'application/json; charset=utf-8', upgrade: 'websocket' }, JSON.stringify({ code: 'bad_request', message: '@qwik-realtime/server: upgrade to WebSocket' }));
  }
  if (method !== expected) {
    return sendError(exchange, new RealtimeError('bad_request', `${exchange.request.url.pathname} expects ${expected}`));
  }
  if (endpoint === 'sse') return handleSse(ctx, exchange);
  if (endpoint === 'poll') return handlePoll(ctx, exchange);
  if (endpoint === 'presence') return handlePresence(ctx, exchange);
  return handlePublish(ctx, exchange);
}
