import type { Envelope, SubscribedFrame } from '@qwik-realtime/core/protocol';
import { describe, expect, test, vi } from 'vitest';
import type { Broker } from './broker.js';
import { createMemoryBroker } from './brokers/memory.js';
import { createSubscription } from './subscription.js';
import { createTopicRegistry } from './topic-registry.js';

/** Record what a subscription writes. */
function recorder() {
  const out: (SubscribedFrame | Envelope)[] = [];
  return {
    out,
    offsets: () => out.filter((item): item is Envelope => !('type' in item)).map((m) => m.offset),
    output: {
      subscribed: (frame: SubscribedFrame) => out.push(frame),
      message: (outbound: { message: Envelope }) => out.push(outbound.message),
      failed: (error: Error) => {
        throw error;
      },
    },
  };
}

const put = (broker: Broker, topic: string, n: number) => broker.publish(topic, { id: `${topic}-${n}`, data: n, timestamp: Date.now() });

describe('subscription', () => {
  test('GIVEN messages published while history is being read THEN replay then live has no gap, duplicate or reorder', async () => {
    const memory = createMemoryBroker({ epoch: 'e' });
    for (let n = 1; n <= 3; n++) await put(memory, 't', n);
    // A broker whose history read lets two more messages through (live) before it answers.
    const broker: Broker = {
      ...memory,
      async history(topic, query) {
        const result = await memory.history(topic, query);
        await put(memory, 't', 4);
        await put(memory, 't', 5);
        return result;
      },
    };
    const rec = recorder();
    const sub = createSubscription('t', createTopicRegistry(broker, () => undefined), broker, rec.output);
    await sub.start({ since: { offset: 1, epoch: 'e' } });
    await put(memory, 't', 6);
    expect(rec.out[0]).toMatchObject({ type: 'subscribed', recovered: true, position: { offset: 1 }, replayed: 2 });
    expect(rec.offsets()).toEqual([2, 3, 4, 5, 6]);
    sub.stop();
  });

  test('GIVEN a live message of another epoch THEN subscribed recovered:false is sent before it', async () => {
    const memory = createMemoryBroker({ epoch: 'old' });
    const listeners: ((m: Envelope) => void)[] = [];
    const broker: Broker = { ...memory, subscribe: async (_topic, listener) => (listeners.push(listener), () => undefined) };
    const rec = recorder();
    const sub = createSubscription('t', createTopicRegistry(broker, () => undefined), broker, rec.output);
    await sub.start({});
    listeners[0]!({ id: 'x', topic: 't', data: 1, timestamp: 0, offset: 7, epoch: 'new' });
    expect(rec.out.slice(1)).toEqual([
      { type: 'subscribed', topic: 't', recovered: false, position: { offset: 6, epoch: 'new' }, replayed: 0 },
      expect.objectContaining({ offset: 7, epoch: 'new' }),
    ]);
  });

  test('GIVEN a gap in live offsets THEN it is filled from history before going on', async () => {
    const memory = createMemoryBroker({ epoch: 'e' });
    let deliver: ((m: Envelope) => void) | undefined;
    const broker: Broker = { ...memory, subscribe: async (_topic, listener) => ((deliver = listener), () => undefined) };
    const rec = recorder();
    const sub = createSubscription('t', createTopicRegistry(broker, () => undefined), broker, rec.output);
    await sub.start({});
    // The broker stores 1..3 but its live feed only shows 1 and 3.
    const stored = [await put(memory, 't', 1), await put(memory, 't', 2), await put(memory, 't', 3)].map((r) => r.message);
    deliver!(stored[0]!);
    deliver!(stored[2]!);
    await new Promise((resolve) => setImmediate(resolve));
    expect(rec.offsets()).toEqual([1, 2, 3]);
  });

  test('one broker subscription per topic, released with the last listener', async () => {
    const memory = createMemoryBroker();
    let active = 0;
    const broker: Broker = {
      ...memory,
      async subscribe(topic, listener) {
        active++;
        const stop = await memory.subscribe(topic, listener);
        return () => {
          active--;
          return stop();
        };
      },
    };
    const registry = createTopicRegistry(broker, () => undefined);
    const releases = await Promise.all([registry.listen('t', () => undefined), registry.listen('t', () => undefined)]);
    expect(active).toBe(1);
    expect(registry.counts()).toEqual({ t: 2 });
    releases[0]!();
    expect(active).toBe(1);
    releases[1]!();
    await Promise.resolve();
    await Promise.resolve();
    expect(active).toBe(0);
    expect(registry.counts()).toEqual({});
  });
});

test('GIVEN a live gap that history cannot fill THEN recovered:false is announced instead of looping', async () => {
  const memory = createMemoryBroker({ epoch: 'e' });
  let deliver: ((m: Envelope) => void) | undefined;
  // Live shows offset 5 while history only knows up to 1 (an inconsistent broker).
  const broker: Broker = { ...memory, subscribe: async (_topic, listener) => ((deliver = listener), () => undefined) };
  const rec = recorder();
  const sub = createSubscription('t', createTopicRegistry(broker, () => undefined), broker, rec.output);
  await sub.start({});
  const first = (await put(memory, 't', 1)).message;
  deliver!(first);
  deliver!({ ...first, id: 'late', offset: 5 });
  await new Promise((resolve) => setImmediate(resolve));
  expect(rec.offsets()).toEqual([1, 5]);
  expect(rec.out.at(-2)).toMatchObject({ type: 'subscribed', recovered: false, position: { offset: 4, epoch: 'e' } });
});

test('GIVEN a linger THEN the broker subscription outlives its last listener and is reused by the next one', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  try {
    const memory = createMemoryBroker();
    let subscribes = 0;
    let active = 0;
    const broker: Broker = {
      ...memory,
      async subscribe(topic, listener) {
        subscribes++;
        active++;
        const stop = await memory.subscribe(topic, listener);
        return () => {
          active--;
          return stop();
        };
      },
    };
    const registry = createTopicRegistry(broker, () => undefined, 1000);
    (await registry.listen('t', () => undefined))();
    expect(registry.counts()).toEqual({});
    await vi.advanceTimersByTimeAsync(500);
    const release = await registry.listen('t', () => undefined);
    expect(subscribes).toBe(1);
    release();
    await vi.advanceTimersByTimeAsync(1000);
    expect(active).toBe(0);
  } finally {
    vi.useRealTimers();
  }
});
