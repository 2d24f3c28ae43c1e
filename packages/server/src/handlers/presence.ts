import { isValidTopic } from '@qwik-realtime/core/protocol';
import type { PresenceFrame, PresenceMember } from '@qwik-realtime/core/protocol';
import type { Principal } from '../auth.js';
import { RealtimeError } from '../errors.js';
import type { HttpExchange } from '../exchange.js';
import type { HubContext } from '../hub-context.js';
import { clientKeyOf, takeOrThrow } from '../limits.js';
import { presenceData, principalIdOf } from '../presence.js';
import { assertOpen, authenticateHttp, sendError, sendJson } from './common.js';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A long-poll member: no stream holds it; polls refresh it (docs/protocol.md, Presence). */
async function pollMember<P extends Principal>(ctx: HubContext<P>, principal: P, action: string, topic: string, id: string, data: unknown): Promise<PresenceFrame> {
  const owner = principalIdOf(principal);
  const existing = (await ctx.presence.sync(topic)).find((member) => member.id === id);
  // The id is the client's own: another principal must not take over (or remove) its member.
  if (existing && existing.principal !== owner) throw new RealtimeError('forbidden', `presence member ${id} belongs to someone else`, topic);
  if (action === 'leave') {
    await ctx.presence.leave(topic, id);
    return { type: 'presence', topic, kind: 'leave', members: existing ? [existing] : [] };
  }
  const member: PresenceMember = { id, data: presenceData(data, ctx.options.maxPresenceDataBytes), joinedAt: ctx.options.now() };
  if (owner !== undefined) member.principal = owner;
  if (!(await ctx.authorize(principal, 'presence', topic))) throw new RealtimeError('forbidden', `not allowed to join the presence of ${topic}`, topic);
  await ctx.presence.join(topic, member, false);
  return { type: 'presence', topic, kind: 'sync', members: await ctx.presence.sync(topic) };
}

/**
 * `POST {path}/presence` with a JSON `PresenceRequest`: join or leave a topic's presence for an SSE stream of
 * this instance (`connectionId` from its `hello`) or, with `poll: true`, for a long-poll client. Answers
 * the member list (`sync`) of a join, or an `ErrorBody`.
 */
export async function handlePresence<P extends Principal>(ctx: HubContext<P>, exchange: HttpExchange): Promise<void> {
  const { options } = ctx;
  try {
    assertOpen(ctx);
    if (!/^application\/json\b/i.test(exchange.request.header('content-type') ?? '')) throw new RealtimeError('bad_request', 'content-type must be application/json');
    const text = await exchange.readBody(options.maxPresenceDataBytes + 1024, options.bodyTimeoutMs);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new RealtimeError('bad_request', 'body is not valid JSON');
    }
    if (!isObject(body)) throw new RealtimeError('bad_request', 'body must be an object { action, topic, connectionId, data? }');
    const { action, topic, connectionId, data, poll } = body;
    if (action !== 'join' && action !== 'leave') throw new RealtimeError('bad_request', 'action must be "join" or "leave"');
    if (!isValidTopic(topic)) throw new RealtimeError('invalid_topic', `invalid topic ${JSON.stringify(topic)?.slice(0, 140)}`);
    if (typeof connectionId !== 'string' || connectionId.length === 0 || connectionId.length > 128) throw new RealtimeError('bad_request', 'connectionId must be a string of 1-128 characters');
    const principal = await authenticateHttp(ctx, exchange, poll === true ? 'poll' : 'sse');
    // Joins and leaves draw on the client's `POST /publish` bucket (same rates as inbound WebSocket frames).
    takeOrThrow(ctx.publishLimiter(clientKeyOf(exchange, principal, options.trustProxy)), 'address', ctx.countRateLimited, 'presence requests', topic);
    if (poll === true) return sendJson(exchange, 200, await pollMember(ctx, principal, action, topic, connectionId, data));
    const session = [...ctx.sessions].find((each) => each.id === connectionId && each.transport === 'sse');
    if (!session) throw new RealtimeError('bad_request', `no SSE stream ${connectionId} on this instance`, topic);
    if (principalIdOf(session.principal) !== principalIdOf(principal)) throw new RealtimeError('forbidden', 'the stream belongs to someone else', topic);
    if (action === 'leave') {
      session.presence.leave(topic);
      return sendJson(exchange, 200, { type: 'presence', topic, kind: 'leave', members: [] } satisfies PresenceFrame);
    }
    const frame = await session.presence.join(topic, data);
    if (!frame) throw new RealtimeError('disconnected', 'the stream ended', topic);
    sendJson(exchange, 200, frame);
  } catch (error) {
    sendError(exchange, error, options.onError);
  }
}
