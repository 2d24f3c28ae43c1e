import { randomBytes } from 'node:crypto';
import { DeliverPolicy, JetStreamApiError } from '@nats-io/jetstream';
import type { JetStreamClient, JetStreamManager, MsgRequest, StoredMsg } from '@nats-io/jetstream';
import type { MsgHdrs } from '@nats-io/transport-node';
import type { Envelope } from '@qwik-realtime/core/protocol';

/** Headers every stored message carries, so a publisher can learn a topic's position without the body. */
export const OFFSET_HEADER = 'Qr-Offset';
/** Header with the epoch of the topic's current run. */
export const EPOCH_HEADER = 'Qr-Epoch';

/** JetStream's "Nats-Expected-Last-Subject-Sequence did not match" error code. */
export const WRONG_LAST_SEQUENCE = 10071;

/** Replays up to this many messages use direct lookups; longer ones a short-lived ordered consumer. */
const SMALL_READ = 16;

/** A topic's newest stored message: its stream sequence and its per-topic position. */
export interface TopicHead {
  seq: number;
  offset: number;
  epoch: string;
}

/** A new random epoch (`[A-Za-z0-9_-]`, 8 characters). */
export const freshEpoch = (): string => randomBytes(6).toString('base64url');

/** Whether a publish lost the optimistic-concurrency race on its subject. */
export const isWrongLastSequence = (error: unknown): boolean =>
  error instanceof JetStreamApiError && error.code === WRONG_LAST_SEQUENCE;

/** Position headers of a stored or delivered message (offset 0 = the run marker, see nats.ts). */
export function positionOf(header: MsgHdrs | undefined): { offset: number; epoch: string } | undefined {
  const offset = Number(header?.get(OFFSET_HEADER));
  const epoch = header?.get(EPOCH_HEADER);
  if (!Number.isInteger(offset) || offset < 0 || !epoch) return undefined;
  return { offset, epoch };
}

/** Reads a topic's stored messages: newest, by offset, and ranges. */
/** Read helpers over one stream (`jsm`/`js` of a live connection). */
export function createNatsStore(jsm: JetStreamManager, js: JetStreamClient, stream: string) {
  const headOf = async (subject: string): Promise<TopicHead | undefined> => {
    const last = await jsm.streams.getMessage(stream, { last_by_subj: subject });
    const position = last && positionOf(last.header);
    return last && position ? { seq: last.seq, ...position } : undefined;
  };

  const nextFrom = async (subject: string, seq: number): Promise<{ msg: StoredMsg; offset: number } | undefined> => {
    // STREAM.MSG.GET accepts next_by_subj (nats-server >= 2.9) though the client's MsgRequest type omits it.
    const msg = await jsm.streams.getMessage(stream, { seq, next_by_subj: subject } as unknown as MsgRequest);
    const position = msg && positionOf(msg.header);
    return msg && position ? { msg, offset: position.offset } : undefined;
  };

  /** The oldest stored message of `subject` (possibly the run marker, offset 0). */
  const firstOf = async (subject: string): Promise<{ seq: number; offset: number } | undefined> => {
    const found = await nextFrom(subject, 1);
    return found && { seq: found.msg.seq, offset: found.offset };
  };

  /**
   * Stream sequence of the message with `offset` in the current run, if still stored. Offsets grow with
   * stream sequences within a subject, so a binary search over sequences with "next message on this
   * subject at or after seq" needs about log2(stream length) lookups.
   */
  const seqOfOffset = async (subject: string, offset: number, head: TopicHead): Promise<number | undefined> => {
    // Every later offset takes at least one sequence, so the target sits at or before `upper`; when the
    // topic has the stream to itself it sits exactly there (one lookup).
    const upper = Math.max(1, head.seq - (head.offset - offset));
    const guess = await nextFrom(subject, upper);
    if (!guess) return undefined;
    if (guess.offset === offset) return guess.msg.seq;
    let lo = 1;
    let hi = upper;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const found = await nextFrom(subject, mid);
      if (!found) return undefined;
      if (found.offset >= offset) hi = Math.min(mid, found.msg.seq);
      else lo = found.msg.seq + 1;
    }
    const found = await nextFrom(subject, lo);
    return found && found.offset === offset ? found.msg.seq : undefined;
  };

  /** Messages of `subject` from stream sequence `fromSeq`, at most `count`, never past `lastSeq`. */
  const readFrom = async (subject: string, fromSeq: number, count: number, lastSeq: number): Promise<Envelope[]> => {
    const out: Envelope[] = [];
    if (count <= SMALL_READ) {
      // A short replay (the usual reconnect) is cheaper as direct lookups than creating a consumer.
      let seq = fromSeq;
      while (out.length < count && seq <= lastSeq) {
        const found = await nextFrom(subject, seq);
        if (!found || found.msg.seq > lastSeq) break;
        if (found.offset > 0) out.push(found.msg.json<Envelope>());
        seq = found.msg.seq + 1;
      }
      return out;
    }
    const consumer = await js.consumers.get(stream, {
      filter_subjects: subject,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: fromSeq,
    });
    try {
      while (out.length < count) {
        const batch = await consumer.fetch({ max_messages: Math.min(256, count - out.length), expires: 2000 });
        let got = 0;
        for await (const m of batch) {
          got++;
          if (m.seq > lastSeq) return out;
          if ((positionOf(m.headers)?.offset ?? 0) > 0) out.push(m.json<Envelope>());
          if (out.length >= count || m.seq === lastSeq) return out;
        }
        if (got === 0) return out;
      }
      return out;
    } finally {
      await consumer.delete().catch(() => {});
    }
  };

  return { headOf, firstOf, seqOfOffset, readFrom };
}

/** What {@link createNatsStore} returns. */
export type NatsStore = ReturnType<typeof createNatsStore>;
