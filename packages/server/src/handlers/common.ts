import { createPositions, decodeCursor, isValidTopic, retryPolicyOf } from '@qwik-realtime/core/protocol';
import type { ErrorCode, Positions } from '@qwik-realtime/core/protocol';
import { authContextOf } from '../auth.js';
import type { AuthContext, Principal } from '../auth.js';
import { RealtimeError, toRealtimeError } from '../errors.js';
import type { HttpExchange } from '../exchange.js';
import type { HubContext } from '../hub-context.js';

/** Headers on every response: no caching, no proxy buffering. */
export const NO_BUFFERING_HEADERS: Record<string, string> = {
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
};

/** Answer with a JSON body. */
export function sendJson(exchange: HttpExchange, status: number, body: unknown, extra: Record<string, string> = {}): void {
  exchange.send(status, { ...NO_BUFFERING_HEADERS, 'content-type': 'application/json; charset=utf-8', ...extra }, JSON.stringify(body));
}

/** Answer with an `ErrorBody` and the status of its code (`Retry-After` for backoff codes). */
export function sendError(exchange: HttpExchange, error: unknown, onError?: (error: unknown) => void): void {
  const realtime = toRealtimeError(error);
  if (realtime.code === 'internal') onError?.(error);
  const extra: Record<string, string> = {};
  const body = realtime.toBody();
  if (body.retryAfterMs !== undefined) extra['retry-after'] = String(Math.max(1, Math.ceil(body.retryAfterMs / 1000)));
  else if (realtime.code === 'server_shutdown' || retryPolicyOf(realtime.code) === 'retry_backoff') extra['retry-after'] = '1';
  // A kept-alive socket would bring the client's next request back to this closing hub, not to the next one.
  if (realtime.code === 'server_shutdown') extra.connection = 'close';
  sendJson(exchange, realtime.status, body, extra);
}

/** Topics of a `?topic=a&topic=b` query, deduplicated and validated. */
export function topicsOf(url: URL, maxTopics: number): string[] {
  const topics = [...new Set(url.searchParams.getAll('topic'))];
  for (const topic of topics) if (!isValidTopic(topic)) throw new RealtimeError('invalid_topic', `invalid topic ${JSON.stringify(topic).slice(0, 140)}`);
  if (topics.length > maxTopics) throw new RealtimeError('too_many_topics', `at most ${maxTopics} topics per connection`);
  return topics;
}

/** A non-negative integer query parameter (`history`, `timeout`); `undefined` when absent. */
export function intParam(url: URL, name: string, max: number): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^\d{1,9}$/.test(raw)) throw new RealtimeError('bad_request', `${name} must be a non-negative integer`);
  return Math.min(Number(raw), max);
}

/** A cursor parameter; malformed cursors count as "no position" (docs/protocol.md, Cursors). */
export function cursorParam(raw: string | null | undefined): Positions {
  if (!raw) return createPositions();
  return decodeCursor(raw) ?? createPositions();
}

/** Authenticate an HTTP request; throws `unauthorized` / `token_expired`. */
export async function authenticateHttp<P extends Principal>(ctx: HubContext<P>, exchange: HttpExchange, transport: AuthContext['transport']): Promise<P> {
  return ctx.authenticate(authContextOf(exchange.request, transport, ctx.options.allowQueryToken));
}

/** Authorize `subscribe` on every topic; throws `forbidden` naming the first refused topic. */
export async function authorizeAll<P extends Principal>(ctx: HubContext<P>, principal: P, topics: string[]): Promise<void> {
  const answers = await Promise.all(topics.map((topic) => ctx.authorize(principal, 'subscribe', topic)));
  const refused = topics.find((_, index) => !answers[index]);
  if (refused !== undefined) throw new RealtimeError('forbidden', `not allowed to subscribe to ${refused}`, refused);
}

/** Refuse requests while the hub shuts down. */
export function assertOpen<P extends Principal>(ctx: HubContext<P>): void {
  if (ctx.closing) throw new RealtimeError('server_shutdown', 'the hub is closing');
}

/** Codes after which an SSE stream is cut without a goodbye event (its buffer is full anyway). */
export const CUT_WITHOUT_GOODBYE: ReadonlySet<ErrorCode> = new Set(['slow_consumer']);
