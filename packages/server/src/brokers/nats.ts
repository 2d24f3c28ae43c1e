import { createHash } from 'node:crypto';
import { JetStreamApiError, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { connect, headers } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Envelope } from '@qwik-realtime/core/protocol';
import type { Broker, BrokerPublish, BrokerPublishResult, HistoryQuery, HistoryResult } from '../broker.js';
import { RealtimeError } from '../errors.js';
import { retryOnContention } from './contention-retry.js';
import type { ContentionRetryOptions } from './contention-retry.js';
import { readNatsHistory } from './nats-history.js';
import { createNatsLive } from './nats-live.js';
import { createNatsPresence } from './nats-presence.js';
import type { NatsLive } from './nats-live.js';
import { EPOCH_HEADER, OFFSET_HEADER, createNatsStore, freshEpoch, isWrongLastSequence } from './nats-store.js';
import type { NatsStore, TopicHead } from './nats-store.js';
import { ensureNatsStream } from './nats-stream.js';
import { assertSubjectPrefix, streamNameOf, topicToToken } from './nats-subjects.js';

export type { ContentionRetryOptions } from './contention-retry.js';

/** The subject token of a topic (`<prefix>.<token>` is its subject), for tools that inspect the stream. */
export { topicToToken } from './nats-subjects.js';

/** Options of {@link createNatsBroker}. Give either `connection` or `servers`. */
export interface NatsBrokerOptions {
  /** A NATS connection; the broker never closes it. */
  connection?: NatsConnection;
  /** Servers to connect to when no connection is given; the broker then owns the connection. @default '127.0.0.1:4222' */
  servers?: string | string[];
  /** Subject prefix (dot-separated `[A-Za-z0-9_-]` tokens); topics live on `<prefix>.<topic token>`. @default 'qr' */
  prefix?: string;
  /** JetStream stream over `<prefix>.>`, created if missing (an existing one is used as configured). @default 'QR_<prefix>' */
  stream?: string;
  /** Age after which JetStream drops messages (`max_age`): the history window; 0 keeps them. @default 120_000 (2 minutes) */
  historyTtlMs?: number;
  /** Optional cap on the messages kept per topic (`max_msgs_per_subject`). @default no cap */
  historySize?: number;
  /**
   * Bytes the whole stream may hold (`max_bytes`; the oldest messages of any topic go first). JetStream has
   * no per-subject byte limit: per topic, history is bounded by age (and `historySize`). @default no limit
   */
  streamMaxBytes?: number;
  /** JetStream duplicate window for idempotent publishing (`Nats-Msg-Id`). @default 120_000 */
  dedupWindowMs?: number;
  /** Stream storage: `file` survives a NATS restart, `memory` does not (the epochs change). @default 'file' */
  storage?: 'file' | 'memory';
  /** Stream replicas (clustered JetStream). @default 1 */
  replicas?: number;
  /** A request that has not answered after this long fails with `broker_unavailable`. @default 5000 */
  requestTimeoutMs?: number;
  /**
   * Retries of a publish that lost the race for a topic's next offset to another instance, with full-jitter
   * backoff between them. @default { attempts: 10, baseMs: 2, capMs: 100 }
   */
  contention?: ContentionRetryOptions;
  /** Called with background errors (live consumers restarting, ...). @default ignore */
  onError?: (error: unknown) => void;
}

/** `Nats-Msg-Id` for an id on a topic: hashed, since ids are free text (a header value cannot hold CR/LF). */
const msgIdOf = (topic: string, id: string) => createHash('sha256').update(topic).update('\0').update(id).digest('base64url');

const isMissingStream = (error: unknown) =>
  (error instanceof JetStreamApiError && error.code === 10059) || /no responders|stream not found/i.test(String((error as Error)?.message));

const unavailable = (detail: string) => new RealtimeError('broker_unavailable', `nats broker: ${detail}`);
const asUnavailable = (error: unknown) =>
  error instanceof RealtimeError ? error : unavailable(error instanceof Error ? error.message : String(error));

/**
 * A broker on NATS JetStream: one stream over `<prefix>.>`, each topic one subject. Per-topic offsets are
 * written by the publisher in headers and made consecutive by JetStream's optimistic concurrency
 * (`Nats-Expected-Last-Subject-Sequence`); a lost race re-reads the topic head and retries. Ids dedupe via
 * `Nats-Msg-Id`. Live delivery is an ordered consumer per topic, history a sequence lookup plus a replay
 * filtered to the subject. An epoch is random per "run" of a topic: it starts when the topic has nothing
 * stored (first use, deleted/recreated stream, everything expired), so lost history always changes it.
 * @example
 * import { connect } from '@nats-io/transport-node';
 * const connection = await connect({ servers: process.env.NATS_URL });
 * const hub = createHub({ broker: createNatsBroker({ connection, prefix: 'myapp' }) });
 */
export function createNatsBroker(options: NatsBrokerOptions = {}): Broker {
  const prefix = assertSubjectPrefix(options.prefix ?? 'qr');
  const stream = options.stream ?? streamNameOf(prefix);
  const historySize = options.historySize === undefined ? -1 : Math.max(1, Math.floor(options.historySize));
  const ttlMs = options.historyTtlMs ?? 120_000;
  const dedupMs = Math.max(100, Math.min(options.dedupWindowMs ?? 120_000, ttlMs > 0 ? ttlMs : Infinity));
  const timeout = options.requestTimeoutMs ?? 5000;
  const onError = options.onError ?? (() => {});
  const subjectOf = (topic: string) => `${prefix}.${topicToToken(topic)}`;
  const heads = new Map<string, TopicHead>();
  const publishChains = new Map<string, Promise<unknown>>();
  const live = new Map<string, NatsLive>();
  let ready: Promise<{ nc: NatsConnection; js: JetStreamClient; jsm: JetStreamManager; store: NatsStore }> | undefined;
  let streamReady: Promise<void> | undefined;
  let up = true;
  let closed = false;

  const ensureStream = (jsm: JetStreamManager) =>
    ensureNatsStream(jsm, {
      name: stream,
      prefix,
      storage: options.storage,
      historySize,
      streamMaxBytes: options.streamMaxBytes,
      ttlMs,
      dedupMs,
      replicas: options.replicas,
    });

  const watch = (nc: NatsConnection) => {
    void (async () => {
      for await (const status of nc.status()) {
        if (closed) break;
        if (status.type === 'disconnect') up = false;
        else if (status.type === 'reconnect') {
          up = true;
          heads.clear();
          // Ordered consumers can stall after a server restart; a fresh one continues after the last seq.
          for (const state of live.values()) state.restart();
        }
      }
    })().catch(onError);
  };

  /** The connection and JetStream handles, made once; a failed attempt is retried on the next call. */
  const connection = () => {
    ready ??= (async () => {
      const nc =
        options.connection ??
        (await connect({ servers: options.servers ?? '127.0.0.1:4222', maxReconnectAttempts: -1, reconnectTimeWait: 500 }));
      watch(nc);
      // No API probe at creation: it would fail while JetStream is still starting, and the handles stay valid.
      const jsm = await jetstreamManager(nc, { timeout, checkAPI: false });
      const js = jetstream(nc, { timeout });
      return { nc, js, jsm, store: createNatsStore(jsm, js, stream) };
    })();
    ready.catch(() => (ready = undefined));
    return ready;
  };

  /** Connected handles with the stream in place, or a fast `broker_unavailable` when NATS is known to be down. */
  const handles = async () => {
    if (closed) throw unavailable('closed');
    const h = await connection().catch((error: unknown) => Promise.reject(asUnavailable(error)));
    if (!up || h.nc.isClosed()) throw unavailable('not connected');
    streamReady ??= ensureStream(h.jsm);
    streamReady.catch(() => (streamReady = undefined));
    await streamReady;
    return h;
  };

  /**
   * Run `fn`; if the stream is gone (deleted, or memory storage lost in a restart) create it again and run
   * `fn` once more. Cached heads are dropped: their sequences belong to the old stream.
   */
  const withStream = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      if (!isMissingStream(error)) throw error;
      heads.clear();
      streamReady = undefined;
      await handles();
      return fn();
    }
  };

  /**
   * The topic's head; creates the run marker (offset 0, fresh epoch) when nothing is stored. Only for a
   * subscriber (so its first message comes in the epoch its head announced), never for a read.
   */
  const headOrMarker = async (topic: string): Promise<TopicHead> => {
    const { js, store } = await handles();
    return retryOnContention<TopicHead>(async () => {
      const head = await store.headOf(subjectOf(topic));
      if (head) return { done: head };
      const epoch = freshEpoch();
      const h = headers();
      h.set(OFFSET_HEADER, '0');
      h.set(EPOCH_HEADER, epoch);
      try {
        const ack = await js.publish(subjectOf(topic), undefined, { headers: h, expect: { lastSubjectSequence: 0 } });
        return { done: { seq: ack.seq, offset: 0, epoch } };
      } catch (error) {
        if (!isWrongLastSequence(error)) throw error;
        return { retry: true };
      }
    }, () => unavailable(`could not read the head of ${topic}`), options.contention);
  };

  const publishOnce = async (topic: string, input: BrokerPublish): Promise<BrokerPublishResult> => {
    const { js, jsm } = await handles();
    const subject = subjectOf(topic);
    return retryOnContention<BrokerPublishResult>(async () => {
      const last = heads.get(topic) ?? (await (await handles()).store.headOf(subject));
      const offset = (last?.offset ?? 0) + 1;
      const epoch = last?.epoch ?? freshEpoch();
      const message: Envelope = { id: input.id, topic, data: input.data ?? null, timestamp: input.timestamp, offset, epoch };
      const h = headers();
      h.set(OFFSET_HEADER, String(offset));
      h.set(EPOCH_HEADER, epoch);
      try {
        const ack = await js.publish(subject, JSON.stringify(message), {
          headers: h,
          msgID: msgIdOf(topic, input.id),
          expect: { lastSubjectSequence: last?.seq ?? 0 },
          timeout,
        });
        if (ack.duplicate) {
          const stored = await jsm.streams.getMessage(stream, { seq: ack.seq });
          // The original can be trimmed while its id is still in the window: answer with what we know.
          return { done: { message: stored ? stored.json<Envelope>() : { ...message, offset: 0 }, duplicate: true } };
        }
        heads.set(topic, { seq: ack.seq, offset, epoch });
        return { done: { message, duplicate: false } };
      } catch (error) {
        heads.delete(topic);
        if (!isWrongLastSequence(error)) throw error;
        return { retry: true };
      }
    }, () => unavailable(`too much contention publishing on ${topic}`), options.contention);
  };

  const readHistory = async (topic: string, query: HistoryQuery): Promise<HistoryResult> =>
    readNatsHistory((await handles()).store, subjectOf(topic), query, ttlMs);

  return {
    kind: 'nats',
    presence: createNatsPresence({
      bucket: `${stream}_presence`.replace(/[^-\w]/g, '_'),
      storage: options.storage ?? 'file',
      replicas: options.replicas ?? 1,
      handles,
      now: () => Date.now(),
    }),
    async publish(topic, input) {
      // One publish per topic at a time in this process: no self-inflicted optimistic-concurrency retries.
      const previous = publishChains.get(topic) ?? Promise.resolve();
      const result = previous.catch(() => {}).then(() => withStream(() => publishOnce(topic, input)));
      const settled = result.catch(() => {});
      publishChains.set(topic, settled);
      void settled.then(() => publishChains.get(topic) === settled && publishChains.delete(topic));
      return result.catch((error: unknown) => Promise.reject(asUnavailable(error)));
    },

    async subscribe(topic, listener) {
      const { js, jsm } = await handles();
      if (!live.has(topic)) await withStream(() => headOrMarker(topic)).catch((error: unknown) => Promise.reject(asUnavailable(error)));
      let state = live.get(topic);
      if (!state) {
        const created = createNatsLive({ js, jsm, stream, subject: subjectOf(topic), onError });
        state = created;
        live.set(topic, created);
        created.ready.catch(() => live.get(topic) === created && live.delete(topic));
      }
      const current = state;
      current.listeners.add(listener);
      try {
        await current.ready;
      } catch (error) {
        current.listeners.delete(listener);
        throw asUnavailable(error);
      }
      return async () => {
        current.listeners.delete(listener);
        if (current.listeners.size > 0 || live.get(topic) !== current) return;
        live.delete(topic);
        await current.stop();
      };
    },

    async history(topic: string, query: HistoryQuery): Promise<HistoryResult> {
      try {
        return await withStream(() => readHistory(topic, query));
      } catch (error) {
        throw asUnavailable(error);
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...live.values()].map((state) => state.stop().catch(onError)));
      live.clear();
      if (!options.connection && ready) {
        const h = await ready.catch(() => undefined);
        await h?.nc.close().catch(onError);
      }
    },
  };
}
