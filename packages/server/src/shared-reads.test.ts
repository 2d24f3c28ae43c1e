import { describe, expect, test, vi } from 'vitest';
import type { Broker, HistoryQuery, HistoryResult } from './broker.js';
import { createMemoryBroker } from './brokers/memory.js';
import { shareHistoryReads } from './shared-reads.js';

/**
 * A memory broker whose history reads are counted and whose answers (read when asked, as a real broker's
 * snapshot) are held until `release()` (or failed with `fail()`).
 */
function gatedBroker() {
  const memory = createMemoryBroker({ epoch: 'e' });
  const held: { go: () => void; stop: (error: Error) => void }[] = [];
  const reads: HistoryQuery[] = [];
  const broker: Broker = {
    ...memory,
    async history(topic, query) {
      reads.push(query);
      const result = await memory.history(topic, query);
      await new Promise<void>((go, stop) => held.push({ go, stop }));
      return result;
    },
  };
  /** Wait until `n` reads reached the broker (they start after the current I/O turn). */
  const readsReach = async (n: number) => {
    for (let turn = 0; turn < 100 && reads.length < n; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(reads).toHaveLength(n);
  };
  const release = () => held.splice(0).forEach((each) => each.go());
  const fail = (error: Error) => held.splice(0).forEach((each) => each.stop(error));
  const put = (n: number) => memory.publish('t', { id: `m${n}`, data: n, timestamp: Date.now() });
  return { broker, reads, readsReach, release, fail, put };
}

/** A gated broker holding message 1 of `t`, shared, with `t` subscribed through it (its answers may be kept). */
async function watchedShare() {
  const gated = gatedBroker();
  await gated.put(1);
  const shared = shareHistoryReads(gated.broker);
  await shared.subscribe('t', () => undefined);
  return { gated, shared };
}

const since = (offset: number, limit?: number): HistoryQuery => ({ since: { offset, epoch: 'e' }, ...(limit === undefined ? {} : { limit }) });
const offsets = (result: HistoryResult) => result.messages.map((message) => message.offset);

describe('shareHistoryReads', () => {
  test('GIVEN 100 identical reads asked together THEN the broker reads once and every caller gets the messages in its own array', async () => {
    const gated = gatedBroker();
    for (let n = 1; n <= 5; n++) await gated.put(n);
    const shared = shareHistoryReads(gated.broker);
    const answers = Array.from({ length: 100 }, () => shared.history('t', since(2, 500)));
    await gated.readsReach(1);
    gated.release();
    const results = await Promise.all(answers);
    expect(gated.reads).toEqual([since(2, 500)]);
    for (const result of results) expect(result).toMatchObject({ recovered: true, head: { offset: 5, epoch: 'e' } });
    expect(results.map(offsets)).toEqual(Array.from({ length: 100 }, () => [3, 4, 5]));
    results[0]!.messages.length = 0;
    results[0]!.head.offset = 99;
    expect(offsets(results[1]!)).toEqual([3, 4, 5]);
    expect(results[1]!.head.offset).toBe(5);
  });

  test('GIVEN a read in flight on a topic not subscribed here WHEN a message is stored and the same read is asked THEN it gets a read of its own, which has the message', async () => {
    const gated = gatedBroker();
    for (let n = 1; n <= 3; n++) await gated.put(n);
    const shared = shareHistoryReads(gated.broker);
    const early = shared.history('t', since(1));
    await gated.readsReach(1);
    await gated.put(4);
    const late = Array.from({ length: 50 }, () => shared.history('t', since(1)));
    gated.release();
    expect(offsets(await early)).toEqual([2, 3]);
    // The 50 late ones share one second read (nothing tells this process that the topic changed meanwhile).
    await gated.readsReach(2);
    gated.release();
    for (const result of await Promise.all(late)) expect(offsets(result)).toEqual([2, 3, 4]);
    expect(gated.reads).toHaveLength(2);
  });

  test('GIVEN different positions, limits or last counts THEN each is its own read', async () => {
    const gated = gatedBroker();
    for (let n = 1; n <= 4; n++) await gated.put(n);
    const shared = shareHistoryReads(gated.broker);
    const answers = [shared.history('t', since(1)), shared.history('t', since(2)), shared.history('t', since(1, 1)), shared.history('t', { last: 2 }), shared.history('u', since(1))];
    await gated.readsReach(5);
    gated.release();
    const [a, b, c, d, e] = await Promise.all(answers);
    expect([offsets(a!), offsets(b!), offsets(c!), offsets(d!), e!.recovered]).toEqual([[2, 3, 4], [3, 4], [2], [3, 4], false]);
  });

  test('GIVEN a read that fails THEN every caller of it gets the error and the next ask reads the broker again', async () => {
    const gated = gatedBroker();
    await gated.put(1);
    const shared = shareHistoryReads(gated.broker);
    const failing = [shared.history('t', since(0)), shared.history('t', since(0))];
    await gated.readsReach(1);
    gated.fail(new Error('down'));
    for (const each of failing) await expect(each).rejects.toThrow('down');
    const again = shared.history('t', since(0));
    await gated.readsReach(2);
    gated.release();
    expect(offsets(await again)).toEqual([1]);
  });

  describe('on a topic subscribed through it', () => {
    test('GIVEN an answer WHEN the same read is asked again and nothing arrived THEN the broker is not read again; after a live message it is, and has it', async () => {
      const gated = gatedBroker();
      for (let n = 1; n <= 3; n++) await gated.put(n);
      const shared = shareHistoryReads(gated.broker);
      const live: number[] = [];
      const unsubscribe = await shared.subscribe('t', (message) => live.push(message.offset));
      const first = shared.history('t', since(1));
      await gated.readsReach(1);
      gated.release();
      expect(offsets(await first)).toEqual([2, 3]);
      expect(offsets(await shared.history('t', since(1)))).toEqual([2, 3]);
      expect(gated.reads).toHaveLength(1);
      await gated.put(4);
      expect(live).toEqual([4]);
      const after = shared.history('t', since(1));
      await gated.readsReach(2);
      gated.release();
      expect(offsets(await after)).toEqual([2, 3, 4]);
      await unsubscribe();
      // Not subscribed any more: nothing is kept, every ask reads.
      const again = shared.history('t', since(1));
      await gated.readsReach(3);
      gated.release();
      await again;
    });

    test('GIVEN a read running WHEN the same read is asked and nothing arrived since it started THEN the request joins it; after a live message a request reads again', async () => {
      const { gated, shared } = await watchedShare();
      const first = shared.history('t', since(0));
      await gated.readsReach(1);
      const joined = shared.history('t', since(0));
      await gated.put(2);
      const fresh = shared.history('t', since(0));
      await gated.readsReach(2);
      gated.release();
      expect([offsets(await first), offsets(await joined), offsets(await fresh)]).toEqual([[1], [1], [1, 2]]);
    });

    test('GIVEN a message that arrives while a read runs THEN that answer is not kept', async () => {
      const { gated, shared } = await watchedShare();
      const first = shared.history('t', since(0));
      await gated.readsReach(1);
      await gated.put(2);
      gated.release();
      expect(offsets(await first)).toEqual([1]);
      const second = shared.history('t', since(0));
      await gated.readsReach(2);
      gated.release();
      expect(offsets(await second)).toEqual([1, 2]);
    });

    test('GIVEN a publish through it THEN the next read goes to the broker (a process reads its own writes)', async () => {
      const gated = gatedBroker();
      // A topic whose live messages do not arrive (a Pub/Sub delivery still on its way).
      const shared = shareHistoryReads({ ...gated.broker, subscribe: async () => () => undefined });
      await shared.subscribe('t', () => undefined);
      const first = shared.history('t', { last: 5 });
      await gated.readsReach(1);
      gated.release();
      expect(offsets(await first)).toEqual([]);
      await shared.publish('t', { id: 'a', data: 1, timestamp: Date.now() });
      const second = shared.history('t', { last: 5 });
      await gated.readsReach(2);
      gated.release();
      expect(offsets(await second)).toEqual([1]);
    });

    test('GIVEN a kept answer WHEN more than a second passes THEN it is read again (history ages by time too)', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      try {
        const { gated, shared } = await watchedShare();
        const first = shared.history('t', since(0));
        await gated.readsReach(1);
        gated.release();
        await first;
        vi.setSystemTime(Date.now() + 1001);
        const second = shared.history('t', since(0));
        await gated.readsReach(2);
        gated.release();
        expect(offsets(await second)).toEqual([1]);
      } finally {
        vi.useRealTimers();
      }
    });
  });
});
