import { describe, expect, test } from 'vitest';
import { createMemoryBroker } from './memory.js';

const publish = (broker: ReturnType<typeof createMemoryBroker>, topic: string, count: number, at = 0) =>
  (async () => {
    for (let i = 1; i <= count; i++) await broker.publish(topic, { id: `${topic}-${at + i}`, data: at + i, timestamp: Date.now() });
  })();

// History edge cases, as Centrifugo's recovery tests lay them out.
describe('memory broker history', () => {
  test('empty topic: head is offset 0; since that head, or offset 0 of the broker epoch, recovers with nothing', async () => {
    const broker = createMemoryBroker({ epoch: 'e1' });
    const empty = await broker.history('t', { last: 10 });
    expect(empty).toMatchObject({ messages: [], recovered: true, head: { offset: 0 } });
    expect(await broker.history('t', { since: empty.head })).toMatchObject({ messages: [], recovered: true, head: { offset: 0 } });
    expect(await broker.history('t', { since: { offset: 0, epoch: 'e1' } })).toMatchObject({ messages: [], recovered: true, head: { offset: 0 } });
    await broker.publish('t', { id: 'a', data: 1, timestamp: 0 });
    expect(await broker.history('t', { since: empty.head })).toMatchObject({ recovered: true, messages: [{ offset: 1, epoch: 'e1' }] });
  });

  test('resume from a position returns exactly the messages after it, in order', async () => {
    const broker = createMemoryBroker({ epoch: 'e1' });
    await publish(broker, 't', 5);
    const result = await broker.history('t', { since: { offset: 2, epoch: 'e1' } });
    expect(result.recovered).toBe(true);
    expect(result.messages.map((m) => m.offset)).toEqual([3, 4, 5]);
    expect(result.head).toEqual({ offset: 5, epoch: 'e1' });
    const limited = await broker.history('t', { since: { offset: 2, epoch: 'e1' }, limit: 2 });
    expect(limited.messages.map((m) => m.offset)).toEqual([3, 4]);
  });

  test('resume past the history limit is not recovered and replays nothing (never partial)', async () => {
    const broker = createMemoryBroker({ epoch: 'e1', historySize: 3 });
    await publish(broker, 't', 6);
    expect(await broker.history('t', { since: { offset: 1, epoch: 'e1' } })).toEqual({ messages: [], recovered: false, head: { offset: 6, epoch: 'e1' } });
    // The oldest kept message is 4: resuming from 3 is still complete.
    const edge = await broker.history('t', { since: { offset: 3, epoch: 'e1' } });
    expect(edge.recovered).toBe(true);
    expect(edge.messages.map((m) => m.offset)).toEqual([4, 5, 6]);
    expect((await broker.history('t', { last: 10 })).messages.map((m) => m.offset)).toEqual([4, 5, 6]);
  });

  test('resume from a position not yet reached is not recovered', async () => {
    const broker = createMemoryBroker({ epoch: 'e1' });
    await publish(broker, 't', 2);
    expect(await broker.history('t', { since: { offset: 9, epoch: 'e1' } })).toMatchObject({ messages: [], recovered: false, head: { offset: 2 } });
  });

  test('resume from another epoch is not recovered', async () => {
    const broker = createMemoryBroker({ epoch: 'e2' });
    await publish(broker, 't', 2);
    expect(await broker.history('t', { since: { offset: 1, epoch: 'e1' } })).toMatchObject({ messages: [], recovered: false, head: { offset: 2, epoch: 'e2' } });
  });

  test('expired messages are not replayed: resuming before them is not recovered', async () => {
    let now = 1000;
    const broker = createMemoryBroker({ epoch: 'e1', historyTtlMs: 100, now: () => now });
    await broker.publish('t', { id: 'a', data: 1, timestamp: now });
    now = 1050;
    await broker.publish('t', { id: 'b', data: 2, timestamp: now });
    now = 1120;
    expect((await broker.history('t', { since: { offset: 0, epoch: 'e1' } })).recovered).toBe(false);
    expect((await broker.history('t', { since: { offset: 1, epoch: 'e1' } })).messages.map((m) => m.id)).toEqual(['b']);
  });

  test('a repeated id is a duplicate: same position, not delivered again', async () => {
    const broker = createMemoryBroker({ epoch: 'e1' });
    const seen: number[] = [];
    await broker.subscribe('t', (m) => seen.push(m.offset));
    const first = await broker.publish('t', { id: 'x', data: 1, timestamp: 0 });
    const again = await broker.publish('t', { id: 'x', data: 1, timestamp: 0 });
    expect(first.duplicate).toBe(false);
    expect(again).toEqual({ message: first.message, duplicate: true });
    expect(seen).toEqual([1]);
  });

  test('two brokers have different epochs (a restart loses history)', () => {
    expect(createMemoryBroker().epoch).not.toBe(createMemoryBroker().epoch);
  });
});

const randomNames = (n: number, seed: number) => Array.from({ length: n }, (_, i) => `anon-${seed}-${i}-${Math.random().toString(36).slice(2)}`);

describe('memory broker forgets topics (issue 9 #6)', () => {
  test('GIVEN 50 reads naming 128 unknown topics each WHEN they are answered THEN the broker holds no state for them', async () => {
    const broker = createMemoryBroker({ epoch: 'e1' });
    for (let read = 0; read < 50; read++) {
      for (const topic of randomNames(128, read)) {
        const head = (await broker.history(topic, { last: 3 })).head;
        await broker.history(topic, read % 2 ? { since: head } : { since: { offset: 7, epoch: 'e1' }, limit: 10 });
      }
    }
    expect(broker.stats()).toEqual({ topics: 0, messages: 0, bytes: 0 });
  });

  test('GIVEN a topic with no subscriber WHEN its window expires THEN it is dropped, and when it comes back it has a new epoch', async () => {
    let now = 1_000_000;
    const broker = createMemoryBroker({ epoch: 'e1', historyTtlMs: 1000, now: () => now });
    await publish(broker, 'idle', 3);
    const before = (await broker.history('idle', { last: 0 })).head;
    expect(broker.stats()).toMatchObject({ topics: 1, messages: 3 });
    now += 1001;
    await broker.history('other', { last: 1 });
    expect(broker.stats()).toEqual({ topics: 0, messages: 0, bytes: 0 });
    const again = await broker.publish('idle', { id: 'later', data: 0, timestamp: now });
    expect(again.message.offset).toBe(1);
    expect(again.message.epoch).not.toBe(before.epoch);
    expect(await broker.history('idle', { since: before })).toMatchObject({ recovered: false, messages: [] });
  });

  test('GIVEN a subscribed topic WHEN its window expires THEN it is kept until the last subscriber leaves', async () => {
    let now = 1_000_000;
    const broker = createMemoryBroker({ historyTtlMs: 1000, now: () => now });
    const unsubscribe = await broker.subscribe('watched', () => {});
    await publish(broker, 'watched', 2);
    now += 5000;
    await broker.history('x', { last: 0 });
    expect(broker.stats()).toEqual({ topics: 1, messages: 0, bytes: 0 });
    expect((await broker.history('watched', { last: 0 })).head.offset).toBe(2);
    await unsubscribe();
    expect(broker.stats().topics).toBe(0);
  });

  test('GIVEN a subscriber on a topic nobody published to WHEN it leaves THEN nothing is kept', async () => {
    const broker = createMemoryBroker();
    const unsubscribes = await Promise.all(randomNames(64, 1).map((topic) => broker.subscribe(topic, () => {})));
    expect(broker.stats().topics).toBe(64);
    for (const unsubscribe of unsubscribes) await unsubscribe();
    expect(broker.stats().topics).toBe(0);
  });
});

describe('memory broker history window (issue 11)', () => {
  test('GIVEN the defaults WHEN 10,000 small messages are published THEN a consumer at the first one recovers all of them', async () => {
    const broker = createMemoryBroker({ epoch: 'e1' });
    await publish(broker, 'feed', 10_000);
    const all = await broker.history('feed', { since: { offset: 0, epoch: 'e1' } });
    expect(all.recovered).toBe(true);
    expect(all.messages.map((m) => m.offset)).toEqual(Array.from({ length: 10_000 }, (_, i) => i + 1));
  });

  test('GIVEN a 2-minute window WHEN a position is older than it THEN recovered:false; a position inside it replays the rest', async () => {
    let now = 0;
    const broker = createMemoryBroker({ epoch: 'e1', now: () => now });
    for (let i = 1; i <= 130; i++) {
      await broker.publish('t', { id: `m${i}`, data: i, timestamp: now });
      now += 1000;
    }
    // Now 130 s after the first message: offsets 1..10 (stored at 0..9 s) are more than 120 s old.
    expect(await broker.history('t', { since: { offset: 5, epoch: 'e1' } })).toMatchObject({ recovered: false, messages: [] });
    const inside = await broker.history('t', { since: { offset: 11, epoch: 'e1' } });
    expect([inside.recovered, inside.messages[0]?.offset, inside.messages.length]).toEqual([true, 12, 119]);
  });

  test('GIVEN a byte limit WHEN more is published THEN the oldest messages are dropped to stay under it', async () => {
    const broker = createMemoryBroker({ epoch: 'e1', historyMaxBytes: 10_000 });
    for (let i = 1; i <= 100; i++) await broker.publish('t', { id: `m${i}`, data: 'x'.repeat(400), timestamp: 0 });
    const { bytes, messages } = broker.stats();
    expect(bytes).toBeLessThanOrEqual(10_000);
    expect(messages).toBeGreaterThan(10);
    expect((await broker.history('t', { since: { offset: 99 - messages, epoch: 'e1' } })).recovered).toBe(false);
    expect((await broker.history('t', { since: { offset: 100 - messages, epoch: 'e1' } })).messages).toHaveLength(messages);
  });
});

