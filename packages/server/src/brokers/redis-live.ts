import type { Envelope, Position } from '@qwik-realtime/core/protocol';

/**
 * Reads stored messages after a position; answers in the topic's current epoch (from offset 1 if it changed)
 * with the current head offset.
 */
export type ReadAfter = (after: Position, count: number) => Promise<{ epoch: string; head: number; messages: Envelope[] }>;

/** Options of {@link createLiveTopic}. */
export interface LiveTopicOptions {
  /** Whether gaps can be read back from a stream (false: Pub/Sub only, gaps are skipped). */
  durable: boolean;
  read: ReadAfter;
  /**
   * The topic's counter went backwards in `position.epoch` (Redis lost acknowledged writes, e.g. a crash with
   * `appendfsync everysec` or a failover): give the topic a new epoch so those offsets are never reused.
   */
  rollback?: (position: Position) => Promise<void>;
  onError: (error: unknown) => void;
  /** Delay before retrying a failed catch-up. @default 250 */
  retryMs?: number;
}

/** One topic's live subscription in this process: ordered, gap-filled delivery to its listeners. */
export interface LiveTopic {
  readonly listeners: Set<(message: Envelope) => void>;
  /** Resolves once the channel is subscribed and the start position known. */
  ready: Promise<void>;
  /** Raw Pub/Sub payload handler (an envelope as JSON). */
  readonly onRaw: (raw: string) => void;
  /** Set the position live delivery continues from (the topic's head when subscribing). */
  start(position: Position): void;
  /** Read and deliver everything after the last delivered position (after a reconnect). */
  catchUp(): void;
  stop(): void;
}

/**
 * Serialises everything that happens to one topic (live messages, gap reads, catch-ups) on one promise
 * chain, so listeners see offsets strictly in order and each once. Pub/Sub is at-most-once; the stream is
 * the truth: a jump in offsets or a reconnect triggers a read of the missing range before going on.
 */
export function createLiveTopic(options: LiveTopicOptions): LiveTopic {
  const listeners = new Set<(message: Envelope) => void>();
  let last: Position | undefined;
  let open: () => void = () => {};
  // Everything waits until the start position is known; Pub/Sub messages arriving earlier queue up.
  let chain: Promise<void> = new Promise<void>((resolve) => (open = resolve));
  let stopped = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  const deliver = (message: Envelope) => {
    last = { offset: message.offset, epoch: message.epoch };
    for (const listener of listeners) {
      try {
        listener(message);
      } catch (error) {
        options.onError(error);
      }
    }
  };

  const isNew = (message: Envelope) => !last || message.epoch !== last.epoch || message.offset > last.offset;

  /** Deliver what the stream holds after `last` (at most `count` messages; 0 = all). */
  const fill = async (count: number) => {
    if (!last) return;
    let answer = await options.read(last, count);
    if (answer.epoch === last.epoch && answer.head < last.offset && options.rollback) {
      await options.rollback(last);
      answer = await options.read(last, count);
    }
    for (const message of answer.messages) if (isNew(message)) deliver(message);
  };

  const enqueue = (task: () => Promise<void>) => {
    chain = chain.then(task).catch((error: unknown) => {
      options.onError(error);
      scheduleRetry();
    });
  };

  const scheduleRetry = () => {
    if (stopped || retryTimer || !options.durable) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      catchUp();
    }, options.retryMs ?? 250);
  };

  const catchUp = () => {
    if (!stopped && options.durable) enqueue(() => fill(0));
  };

  const handle = async (message: Envelope) => {
    if (stopped || !last || !isNew(message)) return;
    if (!options.durable) return deliver(message);
    if (message.epoch === last.epoch) {
      const missing = message.offset - last.offset - 1;
      if (missing > 0) {
        await fill(missing);
        if (!isNew(message)) return;
        const stillMissing = message.offset - last.offset - 1;
        // The gap is gone from the stream (trimmed/expired): deliver on rather than stall the topic.
        if (stillMissing > 0) options.onError(new Error(`@qwik-realtime/server: redis broker: ${stillMissing} message(s) of ${message.topic} no longer in the stream`));
      }
      return deliver(message);
    }
    // Another epoch: believe it only if it is the topic's current one (a late message from an epoch that
    // was already replaced is dropped), and deliver the new epoch from its start.
    const { epoch, messages } = await options.read(last, message.offset);
    if (epoch !== message.epoch) return;
    for (const each of messages) if (each.offset < message.offset && isNew(each)) deliver(each);
    if (isNew(message)) deliver(message);
  };

  return {
    listeners,
    ready: Promise.resolve(),
    onRaw(raw: string) {
      let message: Envelope;
      try {
        message = JSON.parse(raw) as Envelope;
      } catch (error) {
        options.onError(error);
        return;
      }
      enqueue(() => handle(message));
    },
    start(position) {
      last ??= position;
      open();
    },
    catchUp,
    stop() {
      stopped = true;
      listeners.clear();
      if (retryTimer) clearTimeout(retryTimer);
    },
  };
}
