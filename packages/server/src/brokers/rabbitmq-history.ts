import type { ChannelModel as Connection } from 'amqplib';
import type { Envelope, Position } from '@qwik-realtime/core/protocol';
import type { HistoryQuery, HistoryResult } from '../broker.js';
import { readStreamRange } from './rabbitmq-read.js';
import type { RabbitTail } from './rabbitmq-tail.js';
import { withTimeout } from './rabbitmq-unavailable.js';
import { resumesFromNothing, unknownTopicEpoch } from './unknown-topic.js';

/** Reads one offset range `[from, to]` of a topic's stream. */
export type RangeRead = (connection: Connection, queue: string, topic: string, from: number, to: number) => Promise<Envelope[]>;

/** A {@link RangeRead} that shares reads of one range in flight, each bounded by `timeoutMs`. */
export function createSharedRangeRead(timeoutMs: number): RangeRead {
  // Clients moving off a drained instance resume from the same offsets at once.
  const reading = new Map<string, Promise<Envelope[]>>();
  return (connection, queue, topic, from, to) => {
    const key = `${queue}\n${from}\n${to}`;
    let read = reading.get(key);
    if (!read) {
      read = withTimeout(readStreamRange(connection, queue, topic, from, to, timeoutMs), timeoutMs, 'history');
      reading.set(key, read);
      const done = () => void (reading.get(key) === read && reading.delete(key));
      read.then(done, done);
    }
    return read.then((messages) => [...messages]);
  };
}

/** What {@link historyFromTail} reads with and the broker's history limits. */
export interface TailHistoryInput {
  connection: Connection;
  queue: string;
  topic: string;
  /** This process's tail of the topic; undefined when its stream does not exist. */
  tail: RabbitTail | undefined;
  /** The history window (`historyTtlMs`). */
  ttl: number;
  /** Most messages replayed (`historySize`; Infinity for no cap). */
  maxCount: number;
  timeoutMs: number;
  readRange: RangeRead;
}

/** Answer a history query from the topic's tail (its head) and a range read of its stream. */
export async function historyFromTail(input: TailHistoryInput, query: HistoryQuery): Promise<HistoryResult> {
  const { connection, queue, topic, tail, ttl, maxCount, timeoutMs, readRange } = input;
  const fromNothing = 'since' in query && resumesFromNothing(query.since, Date.now(), ttl);
  const read = tail?.head();
  if (tail && read && 'since' in query && (read.epoch === undefined || read.epoch === query.since.epoch) && query.since.offset > read.offset) {
    // A position this epoch handed out is in the stream: the tail may still be reading the retained part
    // (its quiet-period guess of the end comes early when deliveries stall under load). Let it catch up;
    // a position still ahead after that (or after the timeout) is answered below as not recoverable.
    await withTimeout(tail.reach(query.since.offset), timeoutMs, 'catching up').catch(() => undefined);
  }
  const known = tail?.head();
  if (!tail || !known?.epoch) {
    return { messages: [], recovered: !('since' in query) || fromNothing, head: { offset: 0, epoch: unknownTopicEpoch(Date.now()) } };
  }
  const head: Position = { offset: known.offset, epoch: known.epoch };
  const fresh = (message: Envelope) => message.timestamp >= Date.now() - ttl;
  if ('last' in query) {
    const n = Math.min(Math.max(0, Math.floor(query.last)), head.offset, maxCount);
    const messages = await readRange(connection, queue, topic, head.offset - n + 1, head.offset);
    return { messages: messages.filter(fresh), recovered: true, head };
  }
  const since = fromNothing ? { offset: 0, epoch: head.epoch } : query.since;
  const fail = { messages: [], recovered: false, head };
  if (since.epoch !== head.epoch || since.offset > head.offset || since.offset < 0) return fail;
  if (since.offset === head.offset) return { messages: [], recovered: true, head };
  if (head.offset - since.offset > maxCount) return fail;
  const to = query.limit === undefined ? head.offset : Math.min(head.offset, since.offset + Math.max(1, Math.floor(query.limit)));
  const messages = await readRange(connection, queue, topic, since.offset + 1, to);
  const first = messages[0];
  if (!first || first.offset !== since.offset + 1 || !fresh(first)) return fail;
  return { messages, recovered: true, head };
}
