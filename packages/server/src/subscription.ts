import type { Envelope, Position, SubscribedFrame } from '@qwik-realtime/core/protocol';
import type { Broker } from './broker.js';
import { RealtimeError } from './errors.js';
import { createOutbound } from './outbound.js';
import type { Outbound } from './outbound.js';
import type { TopicRegistry } from './topic-registry.js';

/** Messages read per history request while replaying. */
const REPLAY_PAGE = 500;
/** Live messages a subscription may queue while it replays before the connection counts as too slow. */
const MAX_QUEUED = 10_000;

/** Where a subscription writes (implemented by the session). */
export interface SubscriptionOutput {
  subscribed(frame: SubscribedFrame): void;
  message(outbound: Outbound): void;
  /** The subscription cannot continue (broker failure, queue overflow). */
  failed(error: RealtimeError): void;
  /**
   * Resolves once the connection has room to take more replayed messages (its buffer is below half its
   * limit). A replay bigger than the buffer limit then waits for the client instead of cutting it.
   */
  room?(): Promise<void> | undefined;
}

/** What a client asked for. */
export interface SubscribeRequest {
  since?: Position;
  history?: number;
  ref?: string;
}

/** One topic of one connection: replay, then live, without gap, duplicate or reorder. */
export interface Subscription {
  readonly topic: string;
  /** The last position delivered (or announced) to the client. */
  position(): Position | undefined;
  /** Start: resolves once the `subscribed` frame and the replay are written. */
  start(request: SubscribeRequest): Promise<void>;
  stop(): void;
}

/**
 * Create a subscription. The live listener is registered first and its messages are queued while history is
 * read and written; the queue is then flushed, skipping offsets already sent. A live message from another
 * epoch is announced with `subscribed` `recovered: false`; a gap in live offsets is repaired from history.
 */
export function createSubscription(topic: string, registry: TopicRegistry, broker: Broker, output: SubscriptionOutput): Subscription {
  let phase: 'idle' | 'replaying' | 'live' | 'stopped' = 'idle';
  let queue: Outbound[] = [];
  let last: Position | undefined;
  let repairStalled = false;
  let release: (() => void) | undefined;
  // A function, so TypeScript does not narrow `phase` across awaits (stop() may run meanwhile).
  const stopped = () => phase === 'stopped';

  const emit = (outbound: Outbound) => {
    // The envelope is a position already (offset, epoch): no object per delivery on the fan-out path.
    last = outbound.message;
    output.message(outbound);
  };

  /** Write one replayed message, first waiting for room when the connection is backed up. */
  const replay = async (message: Envelope): Promise<void> => {
    const waiting = output.room?.();
    if (waiting) await waiting;
    if (!stopped()) emit(createOutbound(message));
  };

  const announce = (recovered: boolean, position: Position, replayed: number, ref?: string) => {
    last = position;
    const frame: SubscribedFrame = { type: 'subscribed', topic, recovered, position, replayed };
    if (ref !== undefined) frame.ref = ref;
    output.subscribed(frame);
  };

  const fail = (error: unknown) => {
    if (stopped()) return;
    subscription.stop();
    output.failed(error instanceof RealtimeError ? error : new RealtimeError('broker_unavailable', `history of ${topic} unavailable: ${String(error)}`, topic));
  };

  const deliver = (outbound: Outbound) => {
    if (stopped()) return;
    if (phase !== 'live') {
      if (queue.push(outbound) > MAX_QUEUED) fail(new RealtimeError('slow_consumer', `too many messages queued on ${topic} during replay`, topic));
      return;
    }
    const { offset, epoch } = outbound.message;
    if (last && epoch === last.epoch) {
      if (offset <= last.offset) return;
      if (offset > last.offset + 1) {
        if (!repairStalled) {
          queue.push(outbound);
          void repair(last);
          return;
        }
        // History could not fill the gap even though it said it could (an inconsistent broker): say so
        // rather than loop.
        repairStalled = false;
        announce(false, { offset: offset - 1, epoch }, 0);
      }
    } else if (last) {
      announce(false, { offset: offset - 1, epoch }, 0);
    }
    emit(outbound);
  };

  const flush = () => {
    if (stopped()) return;
    phase = 'live';
    const queued = queue;
    queue = [];
    for (const outbound of queued) deliver(outbound);
  };

  /** Replay everything after `since` up to the head seen by the first read; false if it cannot be filled. */
  const replaySince = async (since: Position, ref: string | undefined, announceRecovered: boolean): Promise<void> => {
    let result = await broker.history(topic, { since, limit: REPLAY_PAGE });
    if (stopped()) return;
    if (!result.recovered) return announce(false, result.head, 0, ref);
    const target = result.head.offset;
    if (announceRecovered) announce(true, since, Math.max(0, target - since.offset), ref);
    for (;;) {
      for (const message of result.messages) {
        if (message.offset > target) break;
        await replay(message);
        if (stopped()) return;
      }
      const position = last as Position;
      if (position.offset >= target || result.messages.length === 0) return;
      result = await broker.history(topic, { since: position, limit: REPLAY_PAGE });
      if (stopped()) return;
      if (!result.recovered) return announce(false, result.head, 0);
    }
  };

  const repair = async (from: Position) => {
    phase = 'replaying';
    try {
      await replaySince(from, undefined, false);
      repairStalled = last === from;
      flush();
    } catch (error) {
      fail(error);
    }
  };

  const replayLast = async (count: number, ref: string | undefined) => {
    const result = await broker.history(topic, { last: count });
    if (stopped()) return;
    const messages: Envelope[] = result.messages;
    const first = messages[0];
    announce(true, first ? { offset: first.offset - 1, epoch: first.epoch } : result.head, messages.length, ref);
    for (const message of messages) {
      await replay(message);
      if (stopped()) return;
    }
  };

  const subscription: Subscription = {
    topic,
    position: () => last,
    async start(request) {
      phase = 'replaying';
      try {
        const releaseListener = await registry.listen(topic, deliver);
        if (stopped()) return releaseListener();
        release = releaseListener;
        if (request.since) await replaySince(request.since, request.ref, true);
        else await replayLast(request.history ?? 0, request.ref);
        flush();
      } catch (error) {
        fail(error);
      }
    },
    stop() {
      phase = 'stopped';
      queue = [];
      release?.();
      release = undefined;
    },
  };
  return subscription;
}
