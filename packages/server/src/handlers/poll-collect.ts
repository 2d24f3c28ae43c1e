import type { Envelope, Position, Positions, SubscribedFrame } from '@qwik-realtime/core/protocol';
import { createPositions, positionOf, positionOfTopic } from '@qwik-realtime/core/protocol';
import type { Principal } from '../auth.js';
import type { HubContext } from '../hub-context.js';

/** What one long-poll answer carries besides its cursor. */
export interface PollBatch {
  messages: Envelope[];
  /** The JSON of each of `messages`, written as they are into the answer (each encoded once). */
  encoded: string[];
  /** UTF-8 bytes of `encoded`, separators included. */
  bytes: number;
  subscriptions: SubscribedFrame[];
  positions: Positions;
  more: boolean;
}

/** How much one answer may carry: `pollBatchSize` messages and `pollAnswerMaxBytes` bytes of them. */
export interface PollBudget {
  count: number;
  bytes: number;
}

/**
 * Append the leading messages of `messages` that fit `budget` to `batch`; returns how many did. The first
 * message of an answer always fits, however large, so every poll makes progress.
 */
function fit(batch: PollBatch, messages: Envelope[], budget: PollBudget): number {
  let taken = 0;
  for (const message of messages) {
    if (batch.messages.length >= budget.count) break;
    const json = JSON.stringify(message);
    const size = Buffer.byteLength(json) + 1;
    if (batch.messages.length > 0 && batch.bytes + size > budget.bytes) break;
    batch.messages.push(message);
    batch.encoded.push(json);
    batch.bytes += size;
    taken++;
  }
  return taken;
}

const full = (batch: PollBatch, budget: PollBudget) => batch.messages.length >= budget.count || batch.bytes >= budget.bytes;

/**
 * Read what each topic has after its position (stateless: everything comes from the cursor and the broker).
 * At most `budget` (messages and bytes): a topic that does not fit keeps its position, or the position of the
 * last message of it that did (on a first poll with nothing of it sent: just before its `history` replay),
 * and the answer says `more: true`. Nothing is skipped: the next poll continues exactly there.
 */
export async function collect<P extends Principal>(ctx: HubContext<P>, topics: string[], from: Positions, history: number | undefined, budget: PollBudget): Promise<PollBatch> {
  const { broker } = ctx.options;
  const batch: PollBatch = { messages: [], encoded: [], bytes: 0, subscriptions: [], positions: createPositions(), more: false };
  for (const topic of topics) {
    const since = positionOfTopic(from, topic);
    if (!since) {
      const result = await broker.history(topic, { last: history ?? 0 });
      const first = result.messages[0];
      const position: Position = first ? { offset: first.offset - 1, epoch: first.epoch } : result.head;
      batch.subscriptions.push({ type: 'subscribed', topic, recovered: true, position, replayed: result.messages.length });
      const taken = full(batch, budget) ? 0 : fit(batch, result.messages, budget);
      if (taken < result.messages.length) batch.more = true;
      const last = result.messages[taken - 1];
      batch.positions[topic] = last ? positionOf(last) : first ? position : result.head;
      continue;
    }
    if (full(batch, budget)) {
      batch.positions[topic] = since;
      batch.more = true;
      continue;
    }
    const result = await broker.history(topic, { since, limit: budget.count - batch.messages.length });
    if (!result.recovered) {
      batch.subscriptions.push({ type: 'subscribed', topic, recovered: false, position: result.head, replayed: 0 });
      batch.positions[topic] = result.head;
      continue;
    }
    const last = result.messages[fit(batch, result.messages, budget) - 1];
    batch.positions[topic] = last ? positionOf(last) : since;
    if ((last?.offset ?? since.offset) < result.head.offset) batch.more = true;
  }
  return batch;
}
