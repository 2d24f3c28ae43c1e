import type { PollResponse } from '@qwik-realtime/core/protocol';
import { encodeCursor, positionOfTopic } from '@qwik-realtime/core/protocol';
import type { Principal } from '../auth.js';
import type { HttpExchange } from '../exchange.js';
import { RealtimeError } from '../errors.js';
import type { HubContext } from '../hub-context.js';
import { clientKeyOf, takeOrThrow } from '../limits.js';
import { countSubscribed } from '../metrics-counters.js';
import { collect } from './poll-collect.js';
import type { PollBatch as Batch, PollBudget } from './poll-collect.js';
import { pollPresenceOf } from './poll-presence.js';
import type { PollPresence } from './poll-presence.js';
import { assertOpen, authenticateHttp, authorizeAll, cursorParam, intParam, NO_BUFFERING_HEADERS, sendError, topicsOf } from './common.js';

/**
 * `GET {path}/poll`: answer at once when there is something to say (first poll, messages after the cursor,
 * an unrecoverable position), else wait for the first live message or `timeout` (docs/protocol.md, Long-poll).
 */
export async function handlePoll<P extends Principal>(ctx: HubContext<P>, exchange: HttpExchange): Promise<void> {
  const { options } = ctx;
  const { url } = exchange.request;
  const counters = ctx.counters.transports.poll;
  let gone = false;
  const cleanups: (() => void)[] = [];
  const cleanup = () => {
    for (const each of cleanups.splice(0)) each();
  };
  exchange.onClose(() => {
    gone = true;
    cleanup();
  });
  try {
    assertOpen(ctx);
    const topics = topicsOf(url, options.maxTopicsPerConnection);
    if (topics.length === 0) return exchange.send(204, NO_BUFFERING_HEADERS, '');
    const history = intParam(url, 'history', options.pollBatchSize);
    const timeout = intParam(url, 'timeout', options.pollTimeoutMs) ?? options.pollTimeoutMs;
    const cursor = url.searchParams.get('cursor');
    const from = cursorParam(cursor);
    const budget: PollBudget = { count: options.pollBatchSize, bytes: options.pollAnswerMaxBytes };
    const presence: PollPresence | undefined = pollPresenceOf(ctx, url);
    if (presence) cleanups.push(() => presence.release());
    let presenceChange: Awaited<ReturnType<PollPresence['changed']>>;
    // The first read is the replay of a (re)connecting client: it holds a handshake slot; the wait does not.
    const leave = ctx.admission.enter();
    let batch: Batch;
    try {
      const principal = await authenticateHttp(ctx, exchange, 'poll');
      // Topics added to a running long-poll (a cursor that lacks them) are subscribes, all or none. A first
      // poll (no cursor) is a connect, bounded by the handshake cap like an SSE request; polls that continue
      // a topic are free.
      const added = cursor ? topics.filter((topic) => !positionOfTopic(from, topic)) : [];
      if (added.length > 0) {
        const bucket = ctx.pollSubscribeLimiter(clientKeyOf(exchange, principal, options.trustProxy));
        takeOrThrow(bucket, 'connection', ctx.countRateLimited, 'subscribes', added[0], added.length);
      }
      await authorizeAll(ctx, principal, topics);
      batch = await collect(ctx, topics, from, history, budget);
      // A member of a waiting poll stays alive; a change of its lists answers the poll.
      await presence?.start(() => setImmediate(() => wakePresence()));
      presenceChange = await presence?.changed();
    } finally {
      leave();
    }
    let wakePresence = () => undefined as void;
    const ready = (b: Batch) => b.messages.length > 0 || b.subscriptions.length > 0 || b.more || presenceChange !== undefined;
    if (!ready(batch) && timeout > 0 && !gone) {
      // Listen before reading again, so a message published in between cannot be missed: the second read
      // starts only once every broker subscription is live.
      const wake = await new Promise<'message' | 'timeout' | 'closed'>((resolve) => {
        let settled = false;
        const settle = (why: 'message' | 'timeout' | 'closed') => {
          if (settled) return;
          settled = true;
          resolve(why);
        };
        const timer = setTimeout(() => settle('timeout'), timeout);
        const onHubClose = () => settle('closed');
        wakePresence = () => settle('message');
        ctx.polls.add(onHubClose);
        counters.waitingTopics += topics.length;
        cleanups.push(() => {
          clearTimeout(timer);
          ctx.polls.delete(onHubClose);
          counters.waitingTopics -= topics.length;
          settle('closed');
        });
        const listening = topics.map((topic) =>
          ctx.registry.listen(topic, () => setImmediate(() => settle('message'))).then((release) => {
            if (settled) release();
            else cleanups.push(release);
          }),
        );
        Promise.all(listening)
          .then(() => (settled ? undefined : collect(ctx, topics, batch.positions, history, budget)))
          .then((again) => {
            if (again && ready(again)) {
              batch = again;
              settle('message');
            }
          })
          .catch(() => settle('message'));
      });
      cleanup();
      if (gone) return;
      // The second read may already have found the messages; otherwise read what woke us.
      if (wake === 'message' && !ready(batch)) {
        presenceChange = await presence?.changed();
        batch = await collect(ctx, topics, batch.positions, history, budget);
      }
    }
    if (gone) return;
    // The client's watchdog allows `heartbeatMs` plus some grace between answers: announce at least the
    // longest wait, so an idle poll is never taken for a dead server.
    const heartbeatMs = Math.max(options.heartbeatMs, options.pollTimeoutMs);
    const rest: Omit<PollResponse, 'messages'> = { cursor: encodeCursor(batch.positions), heartbeatMs, more: batch.more };
    if (batch.subscriptions.length > 0) rest.subscriptions = batch.subscriptions;
    if (ctx.closing && ctx.reconnectWithinMs !== undefined) rest.reconnectWithinMs = ctx.reconnectWithinMs;
    if (presenceChange) Object.assign(rest, presenceChange);
    counters.messagesOut += batch.messages.length;
    for (const frame of batch.subscriptions) countSubscribed(counters, frame);
    // The messages were encoded once, when they were measured against the byte budget.
    const body = `{"messages":[${batch.encoded.join(',')}],${JSON.stringify(rest).slice(1)}`;
    // A closing hub must not get the next poll back over this kept-alive socket: the new instance should.
    const extra: Record<string, string> = ctx.closing ? { connection: 'close' } : {};
    exchange.send(200, { ...NO_BUFFERING_HEADERS, 'content-type': 'application/json; charset=utf-8', ...extra }, body);
  } catch (error) {
    cleanup();
    if (error instanceof RealtimeError && error.code === 'broker_unavailable') ctx.counters.brokerSubscribeErrors++;
    if (!gone) sendError(exchange, error, options.onError);
  }
}
