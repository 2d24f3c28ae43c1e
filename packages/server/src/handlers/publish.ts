import type { Principal } from '../auth.js';
import { RealtimeError, toRealtimeError } from '../errors.js';
import type { HttpExchange } from '../exchange.js';
import type { HubContext } from '../hub-context.js';
import { clientKeyOf, takeOrThrow } from '../limits.js';
import { assertOpen, authenticateHttp, sendError, sendJson } from './common.js';

/**
 * `POST {path}/publish` with a JSON `{ topic, data, id? }` body; answers a `PublishAck` or an `ErrorBody`.
 * The body is read (bounded by the frame limit) before credentials are checked, so that a refused publish
 * still leaves a dead letter with its topic and data.
 */
export async function handlePublish<P extends Principal>(ctx: HubContext<P>, exchange: HttpExchange): Promise<void> {
  const { options } = ctx;
  let body: Record<string, unknown> | undefined;
  let raw: string | undefined;
  let principal: P | undefined;
  let published = false;
  try {
    assertOpen(ctx);
    const type = exchange.request.header('content-type') ?? '';
    if (!/^application\/json\b/i.test(type)) throw new RealtimeError('bad_request', 'content-type must be application/json');
    // The body also carries the topic, the id and JSON punctuation around `data`.
    raw = await exchange.readBody(options.maxFrameBytes, options.bodyTimeoutMs);
    let parsed: unknown;
    let malformed: RealtimeError | undefined;
    try {
      parsed = JSON.parse(raw);
    } catch {
      malformed = new RealtimeError('bad_request', 'body is not valid JSON');
    }
    if (!malformed && (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))) malformed = new RealtimeError('bad_request', 'body must be an object { topic, data, id? }');
    else if (!malformed) body = parsed as Record<string, unknown>;
    // Credentials first (an anonymous client learns nothing about the body); the letter of either failure
    // still carries whatever the body held.
    principal = await authenticateHttp(ctx, exchange, 'publish');
    if (!body) throw malformed ?? new RealtimeError('bad_request', 'body must be an object { topic, data, id? }');
    const key = clientKeyOf(exchange, principal, options.trustProxy);
    const topic = typeof body.topic === 'string' ? body.topic : undefined;
    takeOrThrow(ctx.publishLimiter(key), 'address', ctx.countRateLimited, 'publishes', topic);
    // From here on `ctx.publish` records its own rejections.
    published = true;
    const ack = await ctx.publish({ transport: 'http', principal, bucket: ctx.httpPublishLimiter(key) }, body.topic, body.data, body.id);
    sendJson(exchange, 200, ack);
  } catch (error) {
    if (!published) {
      const rejected = body ? { topic: body.topic, data: body.data, id: body.id } : { raw: raw?.slice(0, 4096) };
      ctx.deadLetters.record({ transport: 'http', principal, ...rejected }, toRealtimeError(error));
    }
    sendError(exchange, error, options.onError);
  }
}
