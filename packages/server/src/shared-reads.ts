import type { Broker, HistoryQuery, HistoryResult } from './broker.js';
import { createReadCache } from './read-cache.js';

/** One broker read and everyone who asked for it. */
interface Read {
  promise: Promise<HistoryResult>;
  resolve: (result: HistoryResult) => void;
  reject: (error: unknown) => void;
  started: boolean;
  /** The topic's change count when the read started (undefined: not watched). */
  generation: number | undefined;
}

/** One topic + query and its newest read. */
interface Key {
  topic: string;
  query: HistoryQuery;
  current: Read | undefined;
}

const keyOf = (topic: string, query: HistoryQuery): string =>
  'last' in query ? `${topic}\nlast\n${query.last}` : `${topic}\n${query.since.epoch}\n${query.since.offset}\n${query.limit ?? ''}`;

const copyQuery = (query: HistoryQuery): HistoryQuery =>
  'last' in query ? { last: query.last } : query.limit === undefined ? { since: { ...query.since } } : { since: { ...query.since }, limit: query.limit };

/** Each caller gets its own arrays and head; the envelopes are shared (nobody writes to them). */
const copyResult = (result: HistoryResult): HistoryResult => ({ messages: [...result.messages], recovered: result.recovered, head: { ...result.head } });

/**
 * `broker` with its history reads shared. A reconnect storm resumes a topic's subscribers from nearly the
 * same cursor, and the long-polls of a topic all ask the same range when a message wakes them: without this,
 * each is its own round trip and its own parse of the same entries.
 *
 * Identical reads (same topic and query) asked in the same job go to the broker once (the read starts in a
 * microtask, so a lone read waits for nothing). A read that already started answers a later request only if
 * this process subscribes to the topic and no live message of it arrived (nor was it published on from
 * here) since the read started: what the read did not see has then not been delivered yet, and reaches the
 * requester through its live listener (the hub listens, then reads). Otherwise the request starts a read of
 * its own. Answers are kept under the same rule (read-cache.ts).
 */
export function shareHistoryReads(broker: Broker): Broker {
  const keys = new Map<string, Key>();
  const cache = createReadCache();

  const start = (id: string, key: Key, read: Read) => {
    read.started = true;
    read.generation = cache.generation(key.topic);
    let answer: Promise<HistoryResult>;
    try {
      answer = broker.history(key.topic, copyQuery(key.query));
    } catch (error) {
      answer = Promise.reject(error);
    }
    answer
      .then((result) => {
        if (read.generation !== undefined) cache.keep(key.topic, id, read.generation, result);
        read.resolve(result);
      }, read.reject)
      .finally(() => {
        if (key.current !== read) return;
        key.current = undefined;
        keys.delete(id);
      });
  };

  /** Whether `read` answers a request made now (see above). */
  const joinable = (topic: string, read: Read) => !read.started || (read.generation !== undefined && read.generation === cache.generation(topic));

  const history = (topic: string, query: HistoryQuery): Promise<HistoryResult> => {
    const id = keyOf(topic, query);
    const kept = cache.answer(topic, id);
    if (kept) return Promise.resolve(copyResult(kept));
    let key = keys.get(id);
    if (!key) keys.set(id, (key = { topic, query: copyQuery(query), current: undefined }));
    if (key.current && joinable(topic, key.current)) return key.current.promise.then(copyResult);
    let resolve!: (result: HistoryResult) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<HistoryResult>((ok, fail) => ((resolve = ok), (reject = fail)));
    const read: Read = { promise, resolve, reject, started: false, generation: undefined };
    key.current = read;
    const owner = key;
    queueMicrotask(() => start(id, owner, read));
    return promise.then(copyResult);
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
