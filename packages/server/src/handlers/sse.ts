import { createPositions, positionOfTopic } from '@qwik-realtime/core/protocol';
import type { ErrorBody, HelloFrame, PresenceFrame, SubscribedFrame } from '@qwik-realtime/core/protocol';
import type { Principal } from '../auth.js';
import type { HttpExchange } from '../exchange.js';
import type { RealtimeError } from '../errors.js';
import type { HubContext } from '../hub-context.js';
import type { Outbound } from '../outbound.js';
import { createSession } from '../session.js';
import type { Session, SessionOutput } from '../session.js';
import type { ByteSink } from '../sink.js';
import { assertOpen, authenticateHttp, authorizeAll, cursorParam, CUT_WITHOUT_GOODBYE, intParam, NO_BUFFERING_HEADERS, sendError, topicsOf } from './common.js';

const SSE_HEADERS: Record<string, string> = {
  ...NO_BUFFERING_HEADERS,
  'content-type': 'text/event-stream; charset=utf-8',
  // A compression middleware that ignores `no-transform` (polka's, in front of Storybook's dev server)
  // gzips a text body over 1 KB and buffers it: the stream would never reach the browser. A set
  // Content-Encoding makes such middleware leave the response alone.
  'content-encoding': 'identity',
};

/** Blank-line-terminated SSE event with a JSON `data:` line. */
const event = (name: string, data: string, id?: string) => `event: ${name}\n${id === undefined ? '' : `id: ${id}\n`}data: ${data}\n\n`;

/**
 * SSE output: named events for control frames; messages are default events whose `data:` bytes are shared
 * by every connection, preceded by this connection's own `id:` line (the cursor of all its topics). A class:
 * its methods are shared by every connection instead of a dozen closures each.
 */
class SseOutput implements SessionOutput {
  readonly sink: ByteSink;
  readonly cursor: () => string;
  constructor(sink: ByteSink, cursor: () => string) {
    this.sink = sink;
    this.cursor = cursor;
  }

  hello(frame: HelloFrame): void {
    this.sink.write(event('hello', JSON.stringify(frame)));
  }

  subscribed(frame: SubscribedFrame): void {
    this.sink.write(event('subscribed', JSON.stringify(frame), this.cursor()));
  }

  unsubscribed(): void {}

  message(outbound: Outbound, sole: boolean): void {
    // `id:` is this connection's cursor; connections on the same topics share it, and so the event's bytes.
    this.sink.write(sole ? outbound.sseSoleEvent() : outbound.sseEvent(this.cursor()));
  }

  ack(): void {}

  presence(frame: PresenceFrame): void {
    this.sink.write(event('presence', JSON.stringify(frame)));
  }

  error(body: ErrorBody): void {
    this.sink.write(event('error', JSON.stringify(body)));
  }

  ping(): void {
    this.sink.write('event: ping\ndata: {}\n\n');
  }

  pong(): void {}

  bufferedBytes(): number {
    return this.sink.bufferedBytes();
  }

  progress(): number {
    return this.sink.progress?.() ?? -1;
  }

  close(error: RealtimeError | undefined, reconnectWithinMs?: number): void {
    const { sink } = this;
    if (error && CUT_WITHOUT_GOODBYE.has(error.code)) return sink.destroy();
    if (reconnectWithinMs !== undefined) sink.write(event('reconnect', JSON.stringify({ reconnectWithinMs })));
    if (error) sink.write(event('error', JSON.stringify(error.toBody())));
    sink.end();
  }
}

/** The {@link SessionOutput} of an SSE stream (see `SseOutput`). */
export function createSseOutput(sink: ByteSink, cursor: () => string): SessionOutput {
  return new SseOutput(sink, cursor);
}

/** `GET {path}/sse`: validate, authenticate and authorize, then stream (docs/protocol.md, SSE). */
export async function handleSse<P extends Principal>(ctx: HubContext<P>, exchange: HttpExchange): Promise<void> {
  const { options } = ctx;
  const { url } = exchange.request;
  let session: Session<P> | undefined;
  let gone = false;
  let leave: (() => void) | undefined;
  exchange.onClose(() => {
    gone = true;
    session?.closed();
  });
  try {
    assertOpen(ctx);
    const topics = topicsOf(url, options.maxTopicsPerConnection);
    if (topics.length === 0) return exchange.send(204, NO_BUFFERING_HEADERS, '');
    const history = intParam(url, 'history', 100_000);
    const lastEventId = exchange.request.header('last-event-id') ?? url.searchParams.get('lastEventId');
    const positions = createPositions(cursorParam(url.searchParams.get('since')));
    Object.assign(positions, cursorParam(lastEventId));
    leave = ctx.admission.enter();
    const principal = await authenticateHttp(ctx, exchange, 'sse');
    await authorizeAll(ctx, principal, topics);
    assertOpen(ctx);
    if (gone) return;
    const requested = createPositions();
    for (const topic of topics) {
      const position = positionOfTopic(positions, topic);
      if (position) requested[topic] = position;
    }
    const sink = exchange.stream(200, SSE_HEADERS);
    sink.write('retry: 1000\n\n');
    let current: Session<P> | undefined;
    const output = createSseOutput(sink, () => (current as Session<P>).cursor());
    current = createSession(ctx, 'sse', principal, output, requested);
    session = current;
    for (const topic of topics) {
      const since = positionOfTopic(requested, topic);
      await session.subscribe(topic, since ? { since } : history === undefined ? {} : { history });
    }
  } catch (error) {
    if (session) session.close('internal', String(error));
    else if (!gone) sendError(exchange, error, options.onError);
  } finally {
    leave?.();
  }
}
