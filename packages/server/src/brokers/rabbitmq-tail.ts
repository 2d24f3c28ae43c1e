import type { Channel, ConsumeMessage } from 'amqplib';
import type { Envelope } from '@qwik-realtime/core/protocol';

/** Header with the run's epoch, on every stored message (so it survives retention of the marker). */
export const EPOCH_HEADER = 'qr-epoch';
/** Header telling the run marker (`marker`, offset 0) from messages (`message`). */
export const KIND_HEADER = 'qr-kind';

/** A stored message's body: the envelope without its position (the stream gives the offset). */
export interface StoredBody {
  id: string;
  data: unknown;
  timestamp: number;
}

/** One delivery from a stream, decoded. */
export interface StreamEntry {
  offset: number;
  epoch: string | undefined;
  kind: 'marker' | 'message';
  token: string | undefined;
  body: StoredBody | undefined;
}

/** Decode a delivery from a stream queue (`x-stream-offset` header). */
export function entryOf(m: ConsumeMessage): StreamEntry | undefined {
  const headers = m.properties.headers ?? {};
  const offset = Number(headers['x-stream-offset']);
  if (!Number.isInteger(offset) || offset < 0) return undefined;
  const epoch = typeof headers[EPOCH_HEADER] === 'string' ? (headers[EPOCH_HEADER] as string) : undefined;
  const kind = headers[KIND_HEADER] === 'marker' ? 'marker' : 'message';
  let body: StoredBody | undefined;
  if (kind === 'message') {
    try {
      body = JSON.parse(m.content.toString('utf8')) as StoredBody;
    } catch {
      body = undefined;
    }
  }
  return { offset, epoch, kind, token: typeof m.properties.messageId === 'string' ? m.properties.messageId : undefined, body };
}

/** Options of {@link createRabbitTail}. */
export interface RabbitTailOptions {
  channel: Channel;
  queue: string;
  topic: string;
  /** Offset to start from: `first` to learn the whole retained run, or the offset after the last one delivered. */
  from: number | 'first';
  /**
   * A quiet period after which the retained part counts as read (AMQP has no end-of-stream signal); a
   * message stamped after the consumer started also ends it.
   */
  settleMs: number;
  /**
   * The quiet period before the first entry, for a stream known to exist already: its first delivery can
   * take longer than `settleMs` under load, and an early guess would take a busy stream for an empty one.
   * @default settleMs
   */
  firstEntryMs?: number;
  /** Ids remembered for idempotent publishing. */
  dedupWindow: number;
  /** The server cancelled the consumer (stream deleted) or the channel closed. */
  onGone: () => void;
  /**
   * Listeners to deliver to from the first entry on: a tail resuming after a reconnect reads only entries its
   * topic's subscribers have not had, including the one that makes it ready.
   */
  listeners?: Iterable<(message: Envelope) => void>;
  /** Position and epoch carried over from a previous tail of the same topic (after a reconnect). */
  known?: { offset: number; epoch: string | undefined };
}

/** A topic's live tail in this process: head, epoch, recent ids, listeners, publishes waiting for their offset. */
export interface RabbitTail {
  readonly listeners: Set<(message: Envelope) => void>;
  /** Resolves once the retained part was read (head and epoch known). */
  readonly ready: Promise<void>;
  head(): { offset: number; epoch: string | undefined };
  /** The stored message with this id, if published within the dedup window. */
  seen(id: string): Envelope | undefined;
  /** Resolves with the entry published with `token` once it comes back through the tail. */
  waitFor(token: string): Promise<{ message: Envelope; duplicate: boolean } | 'marker'>;
  /** Forget a waiter (its publish failed). */
  forget(token: string): void;
  /**
   * Resolves once the tail read offset `offset`, or once it knows it read the whole retained part (a message
   * stamped after it started came by), or when it is gone: then an offset still ahead is not in the stream.
   */
  reach(offset: number): Promise<void>;
  readonly gone: boolean;
  close(): Promise<void>;
}

/**
 * Consume a stream queue from `from` for good: every entry updates the head and epoch, messages go to the
 * listeners once (an id seen before within the window is a duplicate: not delivered), and a publish
 * waiting for its token learns its offset from here, since AMQP confirms carry none.
 */
export async function createRabbitTail(options: RabbitTailOptions): Promise<RabbitTail> {
  const { channel, queue, topic } = options;
  const listeners = new Set<(message: Envelope) => void>(options.listeners ?? []);
  const recent = new Map<string, Envelope>();
  const waiters = new Map<string, (result: { message: Envelope; duplicate: boolean } | 'marker') => void>();
  const reaching = new Set<{ offset: number; resolve: () => void }>();
  let caughtUp = false;
  let received = false;
  const release = () => {
    for (const wait of reaching) wait.resolve();
    reaching.clear();
  };
  let last = options.known?.offset ?? -1;
  let epoch = options.known?.epoch;
  let gone = false;
  let settle: ReturnType<typeof setTimeout> | undefined;
  let isSettled = false;
  let settled: () => void = () => {};
  const ready = new Promise<void>((resolve) => (settled = () => ((isSettled = true), resolve())));
  const arm = () => {
    if (isSettled) return;
    if (settle !== undefined) clearTimeout(settle);
    settle = setTimeout(() => settled(), received ? options.settleMs : Math.max(options.settleMs, options.firstEntryMs ?? 0));
  };

  const onEntry = (entry: StreamEntry) => {
    if (entry.offset <= last) return;
    last = entry.offset;
    for (const wait of reaching) if (wait.offset <= last) (reaching.delete(wait), wait.resolve());
    if (entry.epoch) epoch = entry.epoch;
    if (entry.kind === 'marker' || !entry.body) {
      if (entry.token) waiters.get(entry.token)?.('marker');
      return;
    }
    const { id, data, timestamp } = entry.body;
    const earlier = recent.get(id);
    if (earlier) {
      if (entry.token) waiters.get(entry.token)?.({ message: earlier, duplicate: true });
      return;
    }
    const message: Envelope = { id, topic, data: data ?? null, timestamp, offset: entry.offset, epoch: entry.epoch ?? epoch ?? '' };
    recent.set(id, message);
    if (recent.size > options.dedupWindow) recent.delete(recent.keys().next().value as string);
    if (entry.token) waiters.get(entry.token)?.({ message, duplicate: false });
    for (const listener of listeners) {
      try {
        listener(message);
      } catch {
        // A listener's failure is the hub's to report; the tail goes on.
      }
    }
  };

  const markGone = () => {
    if (gone) return;
    gone = true;
    if (settle !== undefined) clearTimeout(settle);
    settled();
    release();
    options.onGone();
  };

  channel.on('close', markGone);
  channel.on('error', () => undefined);
  await channel.prefetch(1000);
  const from = options.from;
  const startedAt = Date.now();
  const { consumerTag } = await channel.consume(
    queue,
    (m) => {
      if (!m) return markGone();
      const entry = entryOf(m);
      channel.ack(m);
      received = true;
      if (entry) onEntry(entry);
      // A busy stream is never quiet for settleMs: a message stamped after this consumer started was
      // appended after everything retained then, so the retained part has been read.
      if (entry?.body && entry.body.timestamp >= startedAt) {
        caughtUp = true;
        settled();
        release();
      } else arm();
    },
    { noAck: false, arguments: { 'x-stream-offset': from } },
  );
  arm();

  return {
    listeners,
    ready,
    head: () => ({ offset: Math.max(0, last), epoch }),
    seen: (id) => recent.get(id),
    waitFor: (token) => new Promise((resolve) => waiters.set(token, (result) => (waiters.delete(token), resolve(result)))),
    forget: (token) => void waiters.delete(token),
    reach: (offset) => (offset <= last || gone || caughtUp ? Promise.resolve() : new Promise((resolve) => void reaching.add({ offset, resolve }))),
    get gone() {
      return gone;
    },
    async close() {
      listeners.clear();
      if (gone) return;
      gone = true;
      if (settle !== undefined) clearTimeout(settle);
      await channel.cancel(consumerTag).catch(() => undefined);
      await channel.close().catch(() => undefined);
    },
  };
}
