import type { Envelope } from '@qwik-realtime/core/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFaultyBroker } from './faulty-broker';

const publish = (broker: ReturnType<typeof createFaultyBroker>, topic: string, n: number) =>
  broker.publish(topic, { id: `m${n}`, data: { n }, timestamp: Date.now() });

describe('createFaultyBroker', () => {
  afterEach(() => vi.useRealTimers());

  it('GIVEN a subscriber WHEN the broker restarts THEN the epoch changes, history is gone and live delivery continues', async () => {
    const broker = createFaultyBroker({ historySize: 10 });
    const seen: Envelope[] = [];
    await broker.subscribe('t', (message) => seen.push(message));
    await publish(broker, 't', 1);
    const before = broker.epoch;
    broker.restart();
    await Promise.resolve();
    expect(broker.epoch).not.toBe(before);
    const history = await broker.history('t', { since: { offset: 1, epoch: before } });
    expect(history.recovered).toBe(false);
    await publish(broker, 't', 2);
    expect(seen.map((message) => [message.offset, message.epoch])).toEqual([
      [1, before],
      [1, broker.epoch],
    ]);
    expect(broker.stats().restarts).toBe(1);
    await broker.close();
  });

  it('GIVEN duplicates on WHEN a message is published THEN it lands twice, at two offsets with the same id, live and in history', async () => {
    const broker = createFaultyBroker();
    const seen: [string, number][] = [];
    await broker.subscribe('t', (message) => seen.push([message.id, message.offset]));
    broker.setFaults({ duplicates: true });
    const ack = await publish(broker, 't', 1);
    await publish(broker, 't', 2);
    expect(ack).toMatchObject({ duplicate: false, message: { id: 'm1', offset: 1 } });
    expect(seen).toEqual([
      ['m1', 1],
      ['m1', 2],
      ['m2', 3],
      ['m2', 4],
    ]);
    const history = await broker.history('t', { last: 10 });
    expect(history.messages.map((message) => [message.id, message.offset])).toEqual(seen);
    expect(broker.stats().duplicatesInjected).toBe(2);
    broker.setFaults({ duplicates: false });
    await publish(broker, 't', 3);
    expect(seen.at(-1)).toEqual(['m3', 5]);
    await broker.close();
  });

  it('GIVEN a stall and then a delay WHEN messages are published THEN they are held, and released in order', async () => {
    vi.useFakeTimers();
    const broker = createFaultyBroker();
    const seen: number[] = [];
    await broker.subscribe('t', (message) => seen.push(message.offset));
    broker.setFaults({ stalled: true });
    await publish(broker, 't', 1);
    await publish(broker, 't', 2);
    expect(seen).toEqual([]);
    broker.setFaults({ delayMs: 500 });
    await publish(broker, 't', 3);
    broker.setFaults({ stalled: false, delayMs: 0 });
    await publish(broker, 't', 4);
    // Held messages come out in offset order; the undelayed 4 waits behind the delayed 3.
    await vi.advanceTimersByTimeAsync(499);
    expect(seen).toEqual([1, 2]);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toEqual([1, 2, 3, 4]);
    await broker.close();
  });

  it('GIVEN an unsubscribed listener WHEN the broker restarts THEN it receives nothing more', async () => {
    const broker = createFaultyBroker();
    const seen: number[] = [];
    const unsubscribe = await broker.subscribe('t', (message) => seen.push(message.offset));
    await unsubscribe();
    broker.restart();
    await publish(broker, 't', 1);
    expect(seen).toEqual([]);
    await broker.close();
  });
});
