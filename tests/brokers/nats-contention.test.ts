/**
 * NATS publish contention (issue 9 #12): a publish whose cached head is stale (another instance published
 * meanwhile) loses JetStream's optimistic-concurrency check and retries after a backoff, not at once.
 */
import { afterAll, expect, test } from 'vitest';
import { createNatsBroker } from '@qwik-realtime/server/nats';
import { uniqueNamespace } from './contract.js';
import { NATS_URL, natsTarget } from './targets.js';

const target = natsTarget();
afterAll(() => target.dispose?.());

test('GIVEN an instance whose head is stale WHEN it publishes THEN it waits a backoff before its retry and the offsets stay consecutive', async () => {
  const ns = uniqueNamespace();
  const delays: number[] = [];
  const contention = { setTimeout: (callback: () => void, ms: number) => (delays.push(ms), setTimeout(callback, ms)), random: () => 0.5 };
  const a = createNatsBroker({ servers: NATS_URL, prefix: ns, storage: 'memory', contention });
  const b = createNatsBroker({ servers: NATS_URL, prefix: ns, storage: 'memory' });
  try {
    const first = await a.publish('t', { id: 'a1', data: 1, timestamp: Date.now() });
    const second = await b.publish('t', { id: 'b1', data: 2, timestamp: Date.now() });
    expect(delays).toEqual([]);
    const third = await a.publish('t', { id: 'a2', data: 3, timestamp: Date.now() });
    expect([first, second, third].map((ack) => ack.message.offset)).toEqual([1, 2, 3]);
    expect(delays).toEqual([1]);
  } finally {
    await a.close();
    await b.close();
    await target.cleanup(ns);
  }
});
