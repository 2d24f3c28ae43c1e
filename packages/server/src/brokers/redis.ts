import { randomBytes } from 'node:crypto';
import type { Envelope, Position } from '@qwik-realtime/core/protocol';
import type { Broker, BrokerPublish, BrokerPublishResult, HistoryQuery, HistoryResult } from '../broker.js';
import { RealtimeError } from '../errors.js';
import { HISTORY_SCRIPT, PUBLISH_SCRIPT, ROLLBACK_SCRIPT } from './redis-scripts.js';
import type { RedisScript } from './redis-scripts.js';
import { createLiveTopic } from './redis-live.js';
import { createRedisPresence } from './redis-presence.js';
import { resumesFromNothing, unknownTopicEpoch } from './unknown-topic.js';
import type { LiveTopic } from './redis-live.js';

/**
 * The subset of a node-redis (`redis` 6) client the broker uses. A client from `createClient()` fits.
 * The broker sends commands on it and calls `duplicate()` once for its own SUBSCRIBE connection.
 */
export interface RedisClientLike {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  connect(): Promise<unknown>;
  duplicate(): RedisClientLike;
  sendCommand(args: ReadonlyArray<string>): Promise<unknown>;
  subscribe(channel: string, listener: (message: string, channel: string) => void): Promise<void>;
  unsubscribe(channel: string, listener?: (message: string, channel: string) => void): Promise<void>;
  on(event: 'ready' | 'error' | 'end', listener: (...args: unknown[]) => void): unknown;
  close(): Promise<void>;
  destroy(): void;
}

/** Options of {@link createRedisBroker}. Give either `client` or `url`. */
export interface RedisBrokerOptions {
  /** A connected node-redis client; the broker never closes it (it closes only its own duplicate). */
  client?: RedisClientLike;
  /** Redis URL when no client is given; the broker then owns the connection. @default 'redis://127.0.0.1:6379' */
  url?: string;
  /** Prefix of every key and channel, so several apps can share one Redis. @default 'qr:' */
  prefix?: string;
  /** `streams`: durable history and gap-free resume (Redis Streams + Pub/Sub). `pubsub`: fire-and-forget, no history. @default 'streams' */
  mode?: 'streams' | 'pubsub';
  /** Bytes of messages (their JSON) kept per topic for resume; the oldest are trimmed past it. @default 16_777_216 (16 MiB) */
  historyMaxBytes?: number;
  /** Messages older than this are trimmed and not replayed, and an idle topic's stream expires after it. @default 120_000 (2 minutes) */
  historyTtlMs?: number;
  /** Optional cap on the number of messages kept per topic, on top of bytes and age. @default no cap */
  historySize?: number;
  /**
   * A topic not published to for this long is forgotten (its meta hash expires; the next publish starts a
   * new epoch). Never shorter than `historyTtlMs`. @default 86_400_000 (24 h)
   */
  idleTtlMs?: number;
  /** How long a message id is remembered for idempotent publishing. @default 120_000 */
  dedupWindowMs?: number;
  /** A command that has not answered after this long fails with `broker_unavailable`. @default 5000 */
  commandTimeoutMs?: number;
  /** Called with connection errors (they are retried by the client). @default ignore */
  onError?: (error: unknown) => void;
  /** Clock, injectable for tests. @default Date.now */
  now?: () => number;
}

const unavailable = (detail: string) => new RealtimeError('broker_unavailable', `redis broker: ${detail}`);

type RedisModule = typeof import('redis');
let driverPromise: Promise<RedisModule> | undefined;
/** The `redis` package, imported once per process (lazily: a broker given its own client never needs it). */
const loadDriver = (): Promise<RedisModule> => {
  driverPromise ??= import('redis');
  driverPromise.catch(() => (driverPromise = undefined));
  return driverPromise;
};
const freshEpoch = () => randomBytes(6).toString('base64url');

/**
 * A broker on Redis: offsets, epoch and history in Redis Streams (one atomic Lua script per publish), live
 * fan-out across instances with Pub/Sub on a dedicated connection. A subscriber that sees an offset jump, or
 * that reconnects, reads what it missed from the stream, so listeners get every message once and in order.
 * `mode: 'pubsub'` keeps only the live fan-out (at-most-once, resume answers `recovered: false`).
 * @example
 * import { createClient } from 'redis';
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * const hub = createHub({ broker: createRedisBroker({ client, prefix: 'myapp:' }) });
 */
export function createRedisBroker(options: RedisBrokerOptions = {}): Broker {
  const prefix = options.prefix ?? 'qr:';
  const durable = (options.mode ?? 'streams') === 'streams';
  const maxCount = options.historySize === undefined ? 'inf' : String(Math.max(1, Math.floor(options.historySize)));
  const maxBytes = String(Math.max(1, Math.floor(options.historyMaxBytes ?? 16 * 1024 * 1024)));
  const ttl = options.historyTtlMs ?? 120_000;
  const idleMs = Math.max(ttl, options.idleTtlMs ?? 86_400_000, 1);
  const dedupMs = Math.max(1, options.dedupWindowMs ?? 120_000);
  const timeoutMs = options.commandTimeoutMs ?? 5000;
  const now = options.now ?? (() => Date.now());
  const onError = options.onError ?? (() => {});
  const owned = !options.client;
  let clientPromise: Promise<RedisClientLike> | undefined;
  let subPromise: Promise<RedisClientLike> | undefined;
  const live = new Map<string, LiveTopic>();
  let closed = false;

  const keys = (topic: string) => {
    const base = `${prefix}{${topic}}`;
    return { meta: `${base}:m`, stream: `${base}:s`, dedup: (id: string) => `${base}:d:${id}`, channel: `${base}:live` };
  };

  // Loading the driver takes seconds on a cold, busy process: it starts now, and is not a command, so the
  // command timeout does not count it (it used to, and a first subscribe failed as broker_unavailable).
  const driver = options.client ? undefined : loadDriver();
  driver?.catch(() => {});
  const driverLoaded = async (): Promise<void> => {
    await driver?.catch((error: unknown) => Promise.reject(unavailable(`cannot load the redis package: ${String(error)}`)));
  };

  const client = (): Promise<RedisClientLike> => {
    clientPromise ??= (async () => {
      if (options.client) return options.client;
      const { createClient } = await (driver as Promise<RedisModule>);
      const created = createClient({ url: options.url ?? 'redis://127.0.0.1:6379', disableOfflineQueue: true }) as unknown as RedisClientLike;
      created.on('error', onError);
      await created.connect();
      return created;
    })();
    clientPromise.catch(() => (clientPromise = undefined));
    return clientPromise;
  };

  const withTimeout = <T>(promise: Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(unavailable(`no answer within ${timeoutMs} ms`)), timeoutMs);
      promise.then(
        (value) => (clearTimeout(timer), resolve(value)),
        (error: unknown) => (clearTimeout(timer), reject(error instanceof RealtimeError ? error : unavailable(String((error as Error)?.message ?? error)))),
      );
    });

  const run = async (script: RedisScript, keyList: string[], args: string[]): Promise<unknown> => {
    if (closed) throw unavailable('closed');
    await driverLoaded();
    const redis = await withTimeout(client());
    if (!redis.isReady) throw unavailable('not connected');
    const tail = [String(keyList.length), ...keyList, ...args];
    return withTimeout(
      redis.sendCommand(['EVALSHA', script.sha, ...tail]).catch((error: unknown) => {
        if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error;
        return redis.sendCommand(['EVAL', script.source, ...tail]);
      }),
    );
  };

  /**
   * Raw history snapshot: `{ epoch, head, messages }` straight from the stream. `create` only for a topic this
   * process subscribes to; a plain read of an unknown topic stores nothing and answers with epoch ''.
   */
  const snapshot = async (topic: string, mode: 'since' | 'last', n: number, count: number, sinceEpoch: string, create = false) => {
    const k = keys(topic);
    // A plain read never starts a run, so it needs no fresh epoch (randomBytes on every resume and long-poll).
    const args = [create ? freshEpoch() : '', mode, String(n), String(count), sinceEpoch, create ? 'create' : 'read', String(idleMs)];
    const [epoch, head, stored] = (await run(HISTORY_SCRIPT, [k.meta, k.stream], args)) as [string, number, string[]];
    const messages = stored.map((json) => JSON.parse(json) as Envelope);
    return { epoch, head: Number(head), messages };
  };

  const subscriber = (): Promise<RedisClientLike> => {
    subPromise ??= (async () => {
      const sub = (await client()).duplicate();
      sub.on('error', onError);
      await sub.connect().catch((error: unknown) => {
        sub.destroy();
        throw error;
      });
      let first = true;
      // 'ready' fires after node-redis re-sent our SUBSCRIBEs on a new socket: read what went by meanwhile.
      sub.on('ready', () => {
        if (first) return void (first = false);
        for (const topic of live.values()) topic.catchUp();
      });
      first = !sub.isReady;
      return sub;
    })();
    subPromise.catch(() => (subPromise = undefined));
    return subPromise;
  };

  const isExpired = (message: Envelope) => ttl > 0 && message.timestamp < now() - ttl;
  /** The head of a snapshot; a topic with nothing stored gets one that resumes without storing anything. */
  const headOf = (snap: { epoch: string; head: number }): Position =>
    snap.epoch ? { offset: snap.head, epoch: snap.epoch } : { offset: 0, epoch: unknownTopicEpoch(now()) };

  return {
    kind: 'redis',
    presence: createRedisPresence({ prefix, now, run, subscriber, withTimeout }),
    async publish(topic: string, input: BrokerPublish): Promise<BrokerPublishResult> {
      const k = keys(topic);
      const head = JSON.stringify({ id: input.id, topic, data: input.data ?? null, timestamp: input.timestamp });
      const reply = (await run(
        PUBLISH_SCRIPT,
        [k.meta, k.stream, k.dedup(input.id)],
        [freshEpoch(), head.slice(0, -1), durable ? maxCount : '0', String(dedupMs), k.channel, durable ? String(ttl) : '0', String(idleMs), String(now()), maxBytes],
      )) as [number, string];
      return { message: JSON.parse(reply[1]) as Envelope, duplicate: Number(reply[0]) === 1 };
    },

    async subscribe(topic, listener) {
      if (closed) throw unavailable('closed');
      let state = live.get(topic);
      if (!state) {
        const k = keys(topic);
        const created = createLiveTopic({
          durable,
          read: async (after: Position, count: number) => {
            const snap = await snapshot(topic, 'since', after.offset, count, after.epoch, true);
            if (snap.epoch === after.epoch) return snap;
            return snapshot(topic, 'since', 0, count, snap.epoch, true);
          },
          rollback: async (position: Position) => {
            await run(ROLLBACK_SCRIPT, [k.meta, k.stream], [position.epoch, String(position.offset), freshEpoch()]);
          },
          onError,
        });
        state = created;
        live.set(topic, created);
        created.ready = (async () => {
          await driverLoaded();
          const sub = await withTimeout(subscriber());
          await withTimeout(sub.subscribe(k.channel, created.onRaw));
          const snap = await snapshot(topic, 'last', 0, 0, '', true);
          created.start({ offset: snap.head, epoch: snap.epoch });
        })();
        created.ready.catch(() => {
          if (live.get(topic) === created) live.delete(topic);
          created.stop();
          // A SUBSCRIBE left in an offline queue would otherwise revive this dead topic on reconnect.
          void subPromise?.then((sub) => sub.unsubscribe(k.channel, created.onRaw)).catch(() => {});
        });
      }
      const current = state;
      current.listeners.add(listener);
      try {
        await current.ready;
      } catch (error) {
        current.listeners.delete(listener);
        throw error instanceof RealtimeError ? error : unavailable(String(error));
      }
      return async () => {
        current.listeners.delete(listener);
        if (current.listeners.size > 0 || live.get(topic) !== current) return;
        live.delete(topic);
        current.stop();
        const sub = await subscriber();
        await sub.unsubscribe(keys(topic).channel, current.onRaw).catch(onError);
      };
    },

    async history(topic: string, query: HistoryQuery): Promise<HistoryResult> {
      if ('last' in query) {
        const n = durable ? Math.max(0, Math.floor(query.last)) : 0;
        const snap = await snapshot(topic, 'last', n, 0, '');
        const messages = snap.messages.reverse();
        let from = 0;
        while (from < messages.length && isExpired(messages[from] as Envelope)) from++;
        return { messages: messages.slice(from), recovered: true, head: headOf(snap) };
      }
      const fromNothing = resumesFromNothing(query.since, now(), ttl > 0 ? ttl : Infinity);
      const since = fromNothing ? { offset: 0, epoch: '*' } : query.since;
      const limit = query.limit === undefined ? 0 : Math.max(1, Math.floor(query.limit));
      const snap = durable
        ? await snapshot(topic, 'since', since.offset, limit, since.epoch)
        : await snapshot(topic, 'last', 0, 0, '');
      const head = headOf(snap);
      if (fromNothing) since.epoch = head.epoch;
      if (!snap.epoch) return { messages: [], recovered: fromNothing, head };
      const fail = { messages: [], recovered: false, head };
      if (since.epoch !== snap.epoch || since.offset > snap.head || since.offset < 0) return fail;
      if (since.offset === snap.head) return { messages: [], recovered: true, head };
      const first = snap.messages[0];
      if (!first || first.offset !== since.offset + 1 || isExpired(first)) return fail;
      return { messages: snap.messages, recovered: true, head };
    },

    async close() {
      if (closed) return;
      closed = true;
      for (const state of live.values()) state.stop();
      live.clear();
      const sub = subPromise && (await subPromise.catch(() => undefined));
      sub?.destroy();
      if (owned) {
        const own = clientPromise && (await clientPromise.catch(() => undefined));
        if (own?.isReady) await own.close().catch(() => own.destroy());
        else own?.destroy();
      }
    },
  };
}
