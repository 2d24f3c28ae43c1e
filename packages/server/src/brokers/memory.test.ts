import { describe, expect, test } from 'vitest';
import { createMemoryBroker } from './memory.js';

const publish = (broker: ReturnType<typeof createMemoryBroker>, topic: string, count: number, at = 0) =>
  (async () => {
    for (let i = 1; i <= count; i++) await broker.publish(topic, { id: `${topic}-${at + i}`, data: at + i, timestamp: Date.now() });
  })();

// History edge cases, as Centrifugo's recovery tests lay them out.
describe('memory broker history', () => {
  test('empty topic: head is offset 0 of the broker epoch; since 0 recovers with nothing', async () => {
    const broker = createMemoryBroker({ epoch: 'e1' });
    expect(await broker.history('t', { last: 10 })).toEqual({ messages: [], recovered: true, head: { offset: 0, epoch: 'e1' } });
    expect(await broker.history('t', { since: { offset: 0, epoch: 'e1' } })).toEqual({ messages: [], recovered: true, head: { offset: 0, epoch: 'e1' } });
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
