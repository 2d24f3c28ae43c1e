/**
 * Redis `mode: 'pubsub'`: live fan-out with consecutive offsets and idempotency, but no history — the
 * at-most-once mode the docs promise (resume is recovered:false unless nothing was missed).
 */
import { afterAll, describe, expect, test } from 'vitest';
import { createRedisBroker } from '@qwik-realtime/server/redis';
import { listen, uniqueNamespace } from './contract.js';
import { REDIS_URL, redisTarget } from './targets.js';

const target = redisTarget();
const ns = uniqueNamespace();
const a = createRedisBroker({ url: REDIS_URL, prefix: `${ns}:`, mode: 'pubsub' });
const b = createRedisBroker({ url: REDIS_URL, prefix: `${ns}:`, mode: 'pubsub' });
const msg = (id: string, data: unknown) => ({ id, data, timestamp: Date.now() });

afterAll(async () => {
  await a.close();
  await b.close();
  await target.cleanup(ns);
  await target.dispose?.();
});

describe('Redis broker in pub/sub mode', () => {
  test('GIVEN two instances WHEN one publishes THEN the other gets it live with consecutive offsets, and duplicates are refused', async () => {
    const live = await listen(b, 'news');
    const first = await a.publish('news', msg('n1', 'one'));
    await a.publish('news', msg('n2', 'two'));
    const again = await b.publish('news', msg('n1', 'one'));
    await live.waitFor(2);
    expect(live.messages.map((m) => [m.offset, m.data])).toEqual([[1, 'one'], [2, 'two']]);
    expect(again.duplicate).toBe(true);
    expect(again.message).toMatchObject({ id: 'n1', offset: 1, epoch: first.message.epoch, data: 'one' });
  });

  test('GIVEN messages were published WHEN history is asked THEN nothing is replayed; only a client already at the head is recovered', async () => {
    await a.publish('quotes', msg('q1', 1));
    await a.publish('quotes', msg('q2', 2));
    const { head, messages } = await b.history('quotes', { last: 10 });
    expect([head.offset, messages]).toEqual([2, []]);
    expect(await b.history('quotes', { since: head })).toEqual({ messages: [], recovered: true, head });
    expect(await b.history('quotes', { since: { offset: 1, epoch: head.epoch } })).toEqual({ messages: [], recovered: false, head });
  });
});
