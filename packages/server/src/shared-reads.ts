import type { Broker, HistoryQuery, HistoryResult } from './broker.js';
import { createReadCache } from './read-cache.js';

/** A read waiting to start, and everyone who asked for it. */
interface Batch {
  promise: Promise<HistoryResult>;
  resolve: (result: HistoryResult) => void;
  reject: (error: unknown) => void;
}

/** One topic + query: the read running (at most one), the next one and who waits for it. */
interface Key {
  topic: string;
  query: HistoryQuery;
  running: boolean;
  next: Batch | undefined;
}

const keyOf = (topic: string, query: HistoryQuery): string =>
  'last' in query ? `${topic}\nlast\n${query.last}` : `${topic}\n${query.since.epoch}\n${query.since.offset}\n${query.limit ?? ''}`;

const copyQuery = (query: HistoryQuery): HistoryQuery =>
  'last' in query ? { last: query.last } : query.limit === undefined ? { since: { ...query.since } } : { since: { ...query.since }, limit: query.limit };

/** Each caller gets its own arrays and head; the envelopes are shared (nobody writes to them). */
const copyResult = (result: HistoryResult): HistoryResult => ({ messages: [...result.messages], recovered: result.recovered, head: { ...result.head } });

/**
 * `broker` with its history reads shared: identical reads (same topic and query) asked before one of them
 * starts are answered by one broker read. A reconnect storm resumes a topic's subscribers from nearly the
 * same cursor, and the long-polls of a topic all ask the same range when a message wakes them: without this,
 * each is its own round trip and its own parse of the same entries.
 *
 * A read only answers requests made before it started, so none misses a message stored before it asked
 * (the order the hub relies on: listen, then read). Requests for a key that is being read wait for that
 * read to end and share the next one; a key is never read twice at once. The first read of an idle key
 * starts at the end of the current job (a microtask), so a lone read waits for nothing.
 * On a topic this process subscribes to, an answer is also reused until a live message of the topic arrives
 * or it is published on from here (read-cache.ts): long-polls and resumes spread over the time between two
 * messages then cost one read.
 */
export function shareHistoryReads(broker: Broker): Broker {
  const keys = new Map<string, Key>();
  const cache = createReadCache();

  const start = (id: string, key: Key) => {
    const batch = key.next as Batch;
    key.next = undefined;
    key.running = true;
    const generation = cache.generation(key.topic);
    let read: Promise<HistoryResult>;
    try {
      read = broker.history(key.topic, copyQuery(key.query));
    } catch (error) {
      read = Promise.reject(error);
    }
    read.then((result) => {
      if (generation !== undefined) cache.keep(key.topic, id, generation, result);
      batch.resolve(result);
    }, batch.reject).finally(() => {
      key.running = false;
      if (key.next) start(id, key);
      else keys.delete(id);
    });
  };

  const history = (topic: string, query: HistoryQuery): Promise<HistoryResult> => {
    const id = keyOf(topic, query);
    const kept = cache.answer(topic, id);
    if (kept) return Promise.resolve(copyResult(kept));
    let key = keys.get(id);
    if (!key) {
      key = { topic, query: copyQuery(query), running: false, next: undefined };
      keys.set(id, key);
    }
    if (!key.next) {
      let resolve!: (result: HistoryResult) => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<HistoryResult>((ok, fail) => ((resolve = ok), (reject = fail)));
      key.next = { promise, resolve, reject };
      const idle = key;
      if (!idle.running) queueMicrotask(() => idle.next && !idle.running && start(id, idle));
    }
    return key.next.promise.then(copyResult);
  };

  return {
    ...(broker.kind === undefined ? {} : { kind: broker.kind }),
    ...(broker.presence === undefined ? {} : { presence: broker.presence }),
    async publish(topic, message) {
      try {
        return await broker.publish(topic, message);
      } finally {
        cache.changed(topic);
      }
    },
    async subscribe(topic, listener) {
      const unsubscribe = await broker.subscribe(topic, (message) => {
        cache.changed(topic);
        listener(message);
      });
      const unwatch = cache.watch(topic);
      return () => {
        unwatch();
        return unsubscribe();
      };
    },
    history,
    close: () => broker.close(),
  };
}
