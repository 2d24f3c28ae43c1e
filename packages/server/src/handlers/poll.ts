import type { Envelope, PollResponse, Position, Positions, SubscribedFrame } from '@qwik-realtime/core/protocol';
import { createPositions, encodeCursor, positionOfTopic } from '@qwik-realtime/core/protocol';
import type { Principal } from '../auth.js';
import type { HttpExchange } from '../exchange.js';
import { RealtimeError } from '../errors.js';
import type { HubContext } from '../hub-context.js';
import { clientKeyOf, takeOrThrow } from '../limits.js';
import { countSubscribed } from '../metrics-counters.js';
import { pollPresenceOf } from './poll-presence.js';
import type { PollPresence } from './poll-presence.js';
import { assertOpen, authenticateHttp, authorizeAll, cursorParam, intParam, NO_BUFFERING_HEADERS, sendError, sendJson, topicsOf } from './common.js';

interface Batch {
  messages: Envelope[];
  subscriptions: SubscribedFrame[];
  positions: Positions;
  more: boolean;
}

/**
 * Read what each topic has after its position (stateless: everything comes from the cursor and the broker).
 * At most `limit` messages: a topic that does not fit keeps its position (or, on a first poll, the position
 * just before the part of its `history` replay that did not fit) and the answer says `more: true`.
 */
async function collect<P extends Principal>(ctx: HubContext<P>, topics: string[], from: Positions, history: number | undefined, limit: number): Promise<Batch> {
  const { broker } = ctx.options;
  const batch: Batch = { messages: [], subscriptions: [], positions: createPositions(), more: false };
  for (const topic of topics) {
    const since = positionOfTopic(from, topic);
    const budget = limit - batch.messages.length;
    if (!since) {
      const result = await broker.history(topic, { last: history ?? 0 });
      const first = result.messages[0];
      const position: Position = first ? { offset: first.offset - 1, epoch: first.epoch } : result.head;
      batch.subscriptions.push({ type: 'subscribed', topic, recovered: true, position, replayed: result.messages.length });
      const fits = result.messages.slice(0, Math.max(0, budget));
      if (fits.length < result.messages.length) batch.more = true;
      batch.messages.push(...fits);
      const last = fits.at(-1);
      batch.positions[topic] = last ? { offset: last.offset, epoch: last.epoch } : first ? position : result.head;
      continue;
    }
    if (budget <= 0) {
      batch.positions[topic] = since;
      batch.more = true;
      continue;
    }
    const result = await broker.history(topic, { since, limit: budget });
    if (!result.recovered) {
      batch.subscriptions.push({ type: 'subscribed', topic, recovered: false, position: result.head, replayed: 0 });
      batch.positions[topic] = result.head;
      continue;
    }
    batch.messages.push(...result.messages);
    const last = result.messages.at(-1);
    batch.positions[topic] = last ? { offset: last.offset, epoch: last.epoch } : since;
    if ((last?.offset ?? since.offset) < result.head.offset) batch.more = true;
  }
  return batch;
}

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
      batch = await collect(ctx, topics, from, history, options.pollBatchSize);
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
          .then(() => (settled ? undefined : collect(ctx, topics, batch.positions, history, options.pollBatchSize)))
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
        batch = await collect(ctx, topics, batch.positions, history, options.pollBatchSize);
      }
    }
    if (gone) return;
    // The client's watchdog allows `heartbeatMs` plus some grace between answers: announce at least the
    // longest wait, so an idle poll is never taken for a dead server.
    const heartbeatMs = Math.max(options.heartbeatMs, options.pollTimeoutMs);
    const response: PollResponse = { cursor: encodeCursor(batch.positions), messages: batch.messages, heartbeatMs, more: batch.more };
    if (batch.subscriptions.length > 0) response.subscriptions = batch.subscriptions;
    if (ctx.closing && ctx.reconnectWithinMs !== undefined) response.reconnectWithinMs = ctx.reconnectWithinMs;
    if (presenceChange) Object.assign(response, presenceChange);
    counters.messagesOut += batch.messages.length;
    for (const frame of batch.subscriptions) countSubscribed(counters, frame);
    // A closing hub must not get the next poll back over this kept-alive socket: the new instance should.
    sendJson(exchange, 200, response, ctx.closing ? { connection: 'close' } : {});
  } catch (error) {
    cleanup();
    if (error instanceof RealtimeError && error.code === 'broker_unavailable') ctx.counters.brokerSubscribeErrors++;
    if (!gone) sendError(exchange, error, options.onError);
  }
}
