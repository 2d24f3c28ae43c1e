import { randomUUID } from 'node:crypto';
import type { ChannelModel as Connection, ConfirmChannel } from 'amqplib';
import type { Envelope } from '@qwik-realtime/core/protocol';
import type { Broker, BrokerPublish, BrokerPublishResult, HistoryQuery, HistoryResult } from '../broker.js';
import { createSharedRangeRead, historyFromTail } from './rabbitmq-history.js';
import { EPOCH_HEADER, KIND_HEADER, createRabbitTail } from './rabbitmq-tail.js';
import type { RabbitTail } from './rabbitmq-tail.js';
import { sleep, startRabbitRun } from './rabbitmq-run.js';
import { asUnavailable, unavailable, withTimeout } from './rabbitmq-unavailable.js';

/** Options of {@link createRabbitMqBroker}. */
export interface RabbitMqBrokerOptions {
  /** AMQP URL; the broker owns its connection and reconnects by itself. @default 'amqp://guest:guest@127.0.0.1:5672' */
  url?: string;
  /** Prefix of every stream queue (`<prefix><topic>`), so several apps can share one RabbitMQ. @default 'qr.' */
  prefix?: string;
  /** Messages older than this are not replayed; the stream's `x-max-age` (retention drops whole segments). @default 120_000 */
  historyTtlMs?: number;
  /** Bytes each topic's stream keeps (`x-max-length-bytes`, whole segments). @default 16_777_216 */
  historyMaxBytes?: number;
  /** Optional cap on the messages replayed per topic (older offsets answer `recovered: false`). @default no cap */
  historySize?: number;
  /** Recent ids remembered per topic for idempotent publishing. @default 1000 */
  dedupWindow?: number;
  /** An operation that has not completed after this long fails with `broker_unavailable`. @default 5000 */
  requestTimeoutMs?: number;
  /** Quiet period after which a stream's retained part counts as read (AMQP has no end-of-stream signal). @default 60 */
  settleMs?: number;
  /** Delay between reconnection attempts. @default 500 */
  reconnectMs?: number;
  /** Called with background errors (connection lost, ...). @default ignore */
  onError?: (error: unknown) => void;
}

/** How long a stream that already exists may take to deliver its first entry before it counts as empty. */
const FIRST_ENTRY_MS = 2000;

/**
 * A broker on RabbitMQ stream queues (RabbitMQ >= 3.9, over AMQP 0-9-1 with `amqplib`): one stream per topic,
 * whose stream offsets are the topic's offsets. Offset 0 is a run marker carrying a random epoch, written
 * once under an exclusive-queue lock when a stream is created, and every message repeats the epoch in a
 * header: a deleted and recreated stream starts a new run. Each process keeps one consumer per topic it
 * uses (the tail): it delivers live messages, knows the head, remembers recent ids (idempotency), and tells
 * a publish its offset, since publisher confirms carry none. History is read by a short-lived consumer
 * started at the wanted offset (`x-stream-offset`).
 * @example
 * const hub = createHub({ broker: createRabbitMqBroker({ url: process.env.AMQP_URL, prefix: 'myapp.' }) });
 */
export function createRabbitMqBroker(options: RabbitMqBrokerOptions = {}): Broker {
  const url = options.url ?? 'amqp://guest:guest@127.0.0.1:5672';
  const prefix = options.prefix ?? 'qr.';
  const ttl = Math.max(1, options.historyTtlMs ?? 120_000);
  const maxBytes = Math.max(1, Math.floor(options.historyMaxBytes ?? 16 * 1024 * 1024));
  const dedupWindow = Math.max(1, options.dedupWindow ?? 1000);
  const maxCount = options.historySize === undefined ? Infinity : Math.max(1, Math.floor(options.historySize));
  const timeoutMs = options.requestTimeoutMs ?? 5000;
  const settleMs = options.settleMs ?? 60;
  const onError = options.onError ?? (() => {});
  const tails = new Map<string, Promise<RabbitTail>>();
  /** Last position delivered per subscribed topic, so a tail recreated after a reconnect goes on from there. */
  const delivered = new Map<string, { offset: number; epoch: string | undefined }>();
  let connecting: Promise<{ connection: Connection; confirm: ConfirmChannel }> | undefined;
  let closed = false;

  const queueOf = (topic: string) => `${prefix}${topic}`;
  const streamArguments = {
    'x-queue-type': 'stream',
    'x-max-age': `${Math.max(1, Math.ceil(ttl / 1000))}s`,
    'x-max-length-bytes': maxBytes,
    // Retention drops whole segments: keep them small enough that the window is close to the limits.
    'x-stream-max-segment-size-bytes': Math.max(64 * 1024, Math.floor(maxBytes / 4)),
  };

  const connect = () => {
    connecting ??= (async () => {
      const { connect: amqpConnect } = await import('amqplib');
      const connection = await amqpConnect(url);
      const lost = (error?: unknown) => {
        if (error) onError(error);
        connecting = undefined;
        for (const tail of tails.values()) void tail.then((t) => t.close()).catch(() => undefined);
        tails.clear();
        if (!closed) void resubscribe();
      };
      connection.on('error', onError);
      connection.on('close', lost);
      const confirm = await connection.createConfirmChannel();
      confirm.on('error', onError);
      confirm.on('close', () => void connection.close().catch(() => undefined));
      return { connection, confirm };
    })();
    connecting.catch(() => (connecting = undefined));
    return connecting;
  };

  const handles = () => {
    if (closed) return Promise.reject(unavailable('closed'));
    return withTimeout(connect(), timeoutMs, 'connect');
  };

  /** Whether the topic's stream exists (a passive check on a throwaway channel: a miss closes it). */
  const exists = async (connection: Connection, queue: string): Promise<boolean> => {
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    try {
      await channel.checkQueue(queue);
      await channel.close().catch(() => undefined);
      return true;
    } catch (error) {
      if (/404|NOT_FOUND/.test(String((error as Error)?.message))) return false;
      throw error;
    }
  };

  /** This process's tail of `topic`; `create` declares the stream first (a publish or a subscriber, never a read). */
  const tailOf = async (topic: string, create: boolean): Promise<RabbitTail | undefined> => {
    const tail = await startedTail(topic, create);
    // A tail that is slow to read the retained part stays and goes on reading: the next caller waits for
    // the same one instead of starting over from the first offset.
    if (tail) await withTimeout(tail.ready, timeoutMs, `reading ${queueOf(topic)}`);
    return tail;
  };

  const startedTail = (topic: string, create: boolean): Promise<RabbitTail | undefined> => {
    const existing = tails.get(topic);
    if (existing) return existing;
    return (async () => {
      const { connection } = await handles();
      const queue = queueOf(topic);
      const existed = await exists(connection, queue);
      if (create && !existed) {
        const channel = await connection.createChannel();
        channel.on('error', () => undefined);
        await channel.assertQueue(queue, { durable: true, arguments: streamArguments });
        await channel.close().catch(() => undefined);
      } else if (!existed) {
        return undefined;
      }
      const again = tails.get(topic);
      if (again) return again;
      const known = delivered.get(topic);
      const made: Promise<RabbitTail> = (async () =>
        createRabbitTail({
          channel: await connection.createChannel(),
          queue,
          topic,
          from: known ? known.offset + 1 : 'first',
          known,
          listeners: known ? subscribed.get(topic) : undefined,
          settleMs,
          firstEntryMs: existed ? Math.max(settleMs, FIRST_ENTRY_MS) : undefined,
          dedupWindow,
          onGone: () => {
            if (tails.get(topic) === made) tails.delete(topic);
          },
        }))();
      tails.set(topic, made);
      made.catch(() => tails.get(topic) === made && tails.delete(topic));
      return made;
    })();
  };

  /** One bootstrap per topic at a time in this process (the exclusive-queue lock only excludes other connections). */
  const starting = new Map<string, Promise<RabbitTail>>();
  const runOf = (topic: string): Promise<RabbitTail> => {
    const pending = starting.get(topic);
    if (pending) return pending;
    const started = startRun(topic);
    starting.set(topic, started);
    const done = () => void (starting.get(topic) === started && starting.delete(topic));
    started.then(done, done);
    return started;
  };

  const startRun = (topic: string): Promise<RabbitTail> => startRabbitRun(topic, { queue: queueOf(topic), tailOf, handles, settleMs, timeoutMs });

  const publishOnce = async (topic: string, input: BrokerPublish): Promise<BrokerPublishResult> => {
    const tail = await runOf(topic);
    const seen = tail.seen(input.id);
    if (seen) return { message: seen, duplicate: true };
    const { confirm } = await handles();
    const token = randomUUID();
    const back = tail.waitFor(token);
    const body = Buffer.from(JSON.stringify({ id: input.id, data: input.data ?? null, timestamp: input.timestamp }));
    const headers = { [EPOCH_HEADER]: tail.head().epoch, [KIND_HEADER]: 'message' };
    try {
      await withTimeout(
        new Promise<void>((resolve, reject) => {
          confirm.sendToQueue(queueOf(topic), body, { messageId: token, headers, persistent: true }, (error) => (error ? reject(error) : resolve()));
        }),
        timeoutMs,
        'publish confirm',
      );
      const result = await withTimeout(back, timeoutMs, 'publish offset');
      if (result === 'marker') throw unavailable(`publish on ${topic} came back as a marker`);
      return result;
    } finally {
      tail.forget(token);
    }
  };

  /** After a reconnect: tails of subscribed topics come back from the last delivered offset. */
  const resubscribe = async () => {
    while (!closed) {
      await sleep(options.reconnectMs ?? 500);
      try {
        await handles();
      } catch (error) {
        onError(error);
        continue;
      }
      // Streams may still be coming back after the node restarted: retry until every tail is attached.
      let failed = false;
      for (const [topic, listeners] of subscribed) {
        if (listeners.size === 0) continue;
        try {
          const tail = await tailOf(topic, true);
          for (const listener of listeners) tail?.listeners.add(listener);
        } catch (error) {
          onError(error);
          failed = true;
        }
      }
      if (!failed) return;
    }
  };

  /** Listeners per subscribed topic (the hub's), kept across reconnects. */
  const subscribed = new Map<string, Set<(message: Envelope) => void>>();

  /** Drop this process's tail of `topic` if its stream is gone (deleted: the server's cancel may still be on its way). */
  const revalidate = async (topic: string) => {
    const current = tails.get(topic);
    if (!current) return;
    const { connection } = await handles();
    if (await exists(connection, queueOf(topic))) return;
    if (tails.get(topic) === current) tails.delete(topic);
    delivered.delete(topic);
    void current.then((tail) => tail.close()).catch(() => undefined);
  };

  const readRange = createSharedRangeRead(timeoutMs);
  const readHistory = async (topic: string, query: HistoryQuery): Promise<HistoryResult> => {
    const { connection } = await handles();
    await revalidate(topic);
    const tail = await tailOf(topic, false);
    return historyFromTail({ connection, queue: queueOf(topic), topic, tail, ttl, maxCount, timeoutMs, readRange }, query);
  };

  return {
    kind: 'rabbitmq',
    async publish(topic, input) {
      try {
        return await publishOnce(topic, input);
      } catch (error) {
        throw asUnavailable(error);
      }
    },

    async subscribe(topic, listener) {
      let listeners = subscribed.get(topic);
      if (!listeners) subscribed.set(topic, (listeners = new Set()));
      const tracked = (message: Envelope) => {
        delivered.set(topic, { offset: message.offset, epoch: message.epoch });
        listener(message);
      };
      listeners.add(tracked);
      try {
        await revalidate(topic);
        const tail = await runOf(topic);
        const head = tail.head();
        if (!delivered.has(topic)) delivered.set(topic, head);
        tail.listeners.add(tracked);
      } catch (error) {
        listeners.delete(tracked);
        throw asUnavailable(error);
      }
      return async () => {
        listeners.delete(tracked);
        const tail = await tails.get(topic)?.catch(() => undefined);
        tail?.listeners.delete(tracked);
        if (listeners.size === 0) {
          subscribed.delete(topic);
          delivered.delete(topic);
        }
      };
    },

    async history(topic, query) {
      try {
        return await readHistory(topic, query);
      } catch (error) {
        throw asUnavailable(error);
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      const open = connecting && (await connecting.catch(() => undefined));
      for (const tail of tails.values()) await tail.then((t) => t.close()).catch(() => undefined);
      tails.clear();
      await open?.connection.close().catch(() => undefined);
    },
  };
}
