import type { Channel, ConsumeMessage } from 'amqplib';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { EPOCH_HEADER, KIND_HEADER, createRabbitTail } from './rabbitmq-tail.js';

/** Just enough of an amqplib channel for a tail: `deliver` hands the consumer one stream entry. */
function fakeChannel() {
  let consumer: ((m: ConsumeMessage | null) => void) | undefined;
  const channel = {
    on: () => channel,
    prefetch: async () => undefined,
    ack: () => undefined,
    consume: async (_queue: string, onMessage: (m: ConsumeMessage | null) => void) => ((consumer = onMessage), { consumerTag: 'c' }),
    cancel: async () => undefined,
    close: async () => undefined,
  };
  const deliver = (offset: number, timestamp: number) =>
    consumer!({
      content: Buffer.from(JSON.stringify({ id: `m${offset}`, data: offset, timestamp })),
      properties: { headers: { 'x-stream-offset': offset, [EPOCH_HEADER]: 'e1', [KIND_HEADER]: 'message' } },
    } as unknown as ConsumeMessage);
  return { channel: channel as unknown as Channel, deliver };
}

afterEach(() => vi.useRealTimers());

describe('GIVEN a stream tail reading the retained part of a busy stream (an entry every 10 ms, settleMs 60)', () => {
  const start = async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const { channel, deliver } = fakeChannel();
    const tail = await createRabbitTail({ channel, queue: 'q', topic: 't', from: 'first', settleMs: 60, dedupWindow: 100, onGone: () => undefined });
    let ready = false;
    void tail.ready.then(() => (ready = true));
    return { tail, deliver, isReady: () => ready };
  };

  test('WHEN only entries stamped before the consumer started arrive THEN it is not ready yet (still reading)', async () => {
    const { deliver, isReady } = await start();
    for (let offset = 1; offset <= 50; offset++) {
      deliver(offset, 900_000 + offset);
      await vi.advanceTimersByTimeAsync(10);
    }
    expect(isReady()).toBe(false);
  });

  test('WHEN an entry stamped after the consumer started arrives THEN it is ready at once, with that entry as head, though the stream never went quiet', async () => {
    const { tail, deliver, isReady } = await start();
    for (let offset = 1; offset <= 20; offset++) {
      deliver(offset, 900_000 + offset);
      await vi.advanceTimersByTimeAsync(10);
    }
    deliver(21, Date.now());
    await vi.advanceTimersByTimeAsync(0);
    expect(isReady()).toBe(true);
    expect(tail.head()).toEqual({ offset: 21, epoch: 'e1' });
  });

  test('WHEN the stream goes quiet for settleMs THEN it is ready (an idle stream)', async () => {
    const { deliver, isReady } = await start();
    deliver(1, 900_000);
    await vi.advanceTimersByTimeAsync(59);
    expect(isReady()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(isReady()).toBe(true);
  });
});

describe('GIVEN a stream tail whose deliveries stalled for longer than settleMs while reading the retained part', () => {
  const stalled = async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const { channel, deliver } = fakeChannel();
    const tail = await createRabbitTail({ channel, queue: 'q', topic: 't', from: 'first', settleMs: 60, dedupWindow: 100, onGone: () => undefined });
    for (let offset = 1; offset <= 10; offset++) deliver(offset, 900_000 + offset);
    await vi.advanceTimersByTimeAsync(100);
    await tail.ready;
    return { tail, deliver };
  };

  test('WHEN a position past its head is awaited THEN reach resolves only once the tail read that offset', async () => {
    const { tail, deliver } = await stalled();
    expect(tail.head().offset).toBe(10);
    let reached = false;
    void tail.reach(15).then(() => (reached = true));
    for (let offset = 11; offset <= 14; offset++) deliver(offset, 900_000 + offset);
    await vi.advanceTimersByTimeAsync(0);
    expect(reached).toBe(false);
    deliver(15, 900_015);
    await vi.advanceTimersByTimeAsync(0);
    expect(reached).toBe(true);
    expect(tail.head().offset).toBe(15);
  });

  test('WHEN a message stamped after it started arrives THEN a wait for an offset beyond the stream ends (the position is not in it)', async () => {
    const { tail, deliver } = await stalled();
    let reached = false;
    void tail.reach(1000).then(() => (reached = true));
    deliver(11, Date.now());
    await vi.advanceTimersByTimeAsync(0);
    expect(reached).toBe(true);
    expect(tail.head().offset).toBe(11);
  });
});

describe('GIVEN a tail of a stream that already exists (firstEntryMs 2000, settleMs 60)', () => {
  test('WHEN its first delivery takes longer than settleMs THEN it waits for it instead of taking the stream for empty', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const { channel, deliver } = fakeChannel();
    const tail = await createRabbitTail({ channel, queue: 'q', topic: 't', from: 'first', settleMs: 60, firstEntryMs: 2000, dedupWindow: 100, onGone: () => undefined });
    let ready = false;
    void tail.ready.then(() => (ready = true));
    await vi.advanceTimersByTimeAsync(500);
    expect(ready).toBe(false);
    for (let offset = 1; offset <= 3; offset++) deliver(offset, 900_000 + offset);
    await vi.advanceTimersByTimeAsync(60);
    expect(ready).toBe(true);
    expect(tail.head()).toEqual({ offset: 3, epoch: 'e1' });
  });

  test('WHEN nothing comes within firstEntryMs THEN it is ready as an empty stream', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const { channel } = fakeChannel();
    const tail = await createRabbitTail({ channel, queue: 'q', topic: 't', from: 'first', settleMs: 60, firstEntryMs: 2000, dedupWindow: 100, onGone: () => undefined });
    let ready = false;
    void tail.ready.then(() => (ready = true));
    await vi.advanceTimersByTimeAsync(2000);
    expect(ready).toBe(true);
    expect(tail.head()).toEqual({ offset: 0, epoch: undefined });
  });
});

describe('GIVEN a tail resuming after a reconnect with its subscribers as listeners', () => {
  test('WHEN the first entry it reads is a fresh message (the one that makes it ready) THEN the subscribers get it', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const { channel, deliver } = fakeChannel();
    const got: number[] = [];
    const tail = await createRabbitTail({
      channel,
      queue: 'q',
      topic: 't',
      from: 8,
      known: { offset: 7, epoch: 'e1' },
      listeners: [(message) => got.push(message.offset)],
      settleMs: 60,
      firstEntryMs: 2000,
      dedupWindow: 100,
      onGone: () => undefined,
    });
    deliver(8, Date.now());
    await tail.ready;
    deliver(9, Date.now());
    expect(got).toEqual([8, 9]);
  });
});
