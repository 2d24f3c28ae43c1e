import type { HistoryQuery, HistoryResult } from '../broker.js';
import type { NatsStore } from './nats-store.js';
import { resumesFromNothing, unknownTopicEpoch } from './unknown-topic.js';

/**
 * Read one topic's history from the stream: the last `n` messages, or the gap after `since` (all of it or
 * `recovered: false`, never a partial replay). `ttlMs` is the stream's `max_age` (0: kept forever).
 */
export async function readNatsHistory(store: NatsStore, subject: string, query: HistoryQuery, ttlMs: number): Promise<HistoryResult> {
  // A read publishes nothing: a topic with nothing stored answers with a head that can be resumed from.
  const last = await store.headOf(subject);
  const fromNothing = 'since' in query && resumesFromNothing(query.since, Date.now(), ttlMs > 0 ? ttlMs : Infinity);
  if (!last) return { messages: [], recovered: !('since' in query) || fromNothing, head: { offset: 0, epoch: unknownTopicEpoch(Date.now()) } };
  const head = { offset: last.offset, epoch: last.epoch };
  if ('last' in query) {
    const n = Math.min(Math.max(0, Math.floor(query.last)), last.offset);
    if (n === 0) return { messages: [], recovered: true, head };
    const wanted = last.offset - n + 1;
    const first = await store.firstOf(subject);
    if (!first) return { messages: [], recovered: true, head };
    const from = Math.max(wanted, first.offset, 1);
    const seq = from === first.offset ? first.seq : await store.seqOfOffset(subject, from, last);
    if (seq === undefined) return { messages: [], recovered: true, head };
    return { messages: await store.readFrom(subject, seq, last.offset - from + 1, last.seq), recovered: true, head };
  }
  const since = fromNothing ? { offset: 0, epoch: last.epoch } : query.since;
  const fail = { messages: [], recovered: false, head };
  if (since.epoch !== last.epoch || since.offset > last.offset || since.offset < 0) return fail;
  if (since.offset === last.offset) return { messages: [], recovered: true, head };
  const seq = await store.seqOfOffset(subject, since.offset + 1, last);
  if (seq === undefined) return fail;
  const count = Math.min(last.offset - since.offset, query.limit === undefined ? Infinity : Math.max(1, Math.floor(query.limit)));
  const messages = await store.readFrom(subject, seq, count, last.seq);
  // A replay cut short (trimmed meanwhile) is not a recovery.
  if (messages[0]?.offset !== since.offset + 1 || messages.length !== count) return fail;
  return { messages, recovered: true, head };
}
