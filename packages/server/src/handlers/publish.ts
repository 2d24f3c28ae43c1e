import type { Principal } from '../auth.js';
import { RealtimeError } from '../errors.js';
import type { HttpExchange } from '../exchange.js';
import type { HubContext } from '../hub-context.js';
import { assertOpen, authenticateHttp, sendError, sendJson } from './common.js';

/**
 * Whose bucket a publish draws on: the app's key, the trusted proxy's client address, the peer address, the
 * principal's `id`, or (Fetch-API servers without any of these) one bucket shared by all.
 */
function publishKey(exchange: HttpExchange, principal: Principal, trustProxy: boolean): string {
  if (exchange.clientKey !== undefined) return `key:${exchange.clientKey}`;
  const forwarded = trustProxy ? exchange.request.header('x-forwarded-for')?.split(',').at(-1)?.trim() : undefined;
  if (forwarded) return `ip:${forwarded}`;
  if (exchange.request.remoteAddress !== undefined) return `ip:${exchange.request.remoteAddress}`;
  const id = (principal as { id?: unknown }).id;
  if (typeof id === 'string' || typeof id === 'number') return `principal:${id}`;
  return 'shared';
}

/** `POST {path}/publish` with a JSON `{ topic, data, id? }` body; answers a `PublishAck` or an `ErrorBody`. */
export async function handlePublish<P extends Principal>(ctx: HubContext<P>, exchange: HttpExchange): Promise<void> {
  const { options } = ctx;
  try {
    assertOpen(ctx);
    const type = exchange.request.header('content-type') ?? '';
    if (!/^application\/json\b/i.test(type)) throw new RealtimeError('bad_request', 'content-type must be application/json');
    const principal = await authenticateHttp(ctx, exchange, 'publish');
    const bucket = ctx.publishLimiter(publishKey(exchange, principal, options.trustProxy));
    if (!bucket.take()) {
      ctx.countRateLimited('address');
      throw new RealtimeError('rate_limited', 'too many publishes; slow down', undefined, bucket.retryAfterMs());
    }
    // The body also carries the topic, the id and JSON punctuation around `data`.
    const text = await exchange.readBody(options.maxFrameBytes);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new RealtimeError('bad_request', 'body is not valid JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new RealtimeError('bad_request', 'body must be an object { topic, data, id? }');
    const { topic, data, id } = body as Record<string, unknown>;
    const ack = await ctx.publish(principal, topic, data, id);
    sendJson(exchange, 200, ack);
  } catch (error) {
    sendError(exchange, error, options.onError);
  }
}
