/**
 * Redis keys of a topic expire when it goes idle (issue 9 #6): a publish gives the meta hash and the stream
 * a TTL, and a subscriber's arrival gives its meta hash one too; nothing is kept forever.
 */
import { afterAll, expect, test } from 'vitest';
import { createRedisBroker } from '@qwik-realtime/server/redis';
import { uniqueNamespace } from './contract.js';
import { REDIS_URL, connectRedis, deleteRedisPrefix } from './targets.js';

const admin = connectRedis();
afterAll(async () => (await admin).destroy());

test('GIVEN a published and a subscribed topic WHEN their keys are inspected THEN every key has a TTL', async () => {
  const ns = uniqueNamespace();
  const broker = createRedisBroker({ url: REDIS_URL, prefix: `${ns}:`, historyTtlMs: 60_000, idleTtlMs: 3_600_000 });
  const redis = await admin;
  try {
    await broker.publish('published', { id: 'a', data: 1, timestamp: Date.now() });
    const unsubscribe = await broker.subscribe('subscribed', () => {});
    await unsubscribe();
    const keys: string[] = [];
    for await (const batch of redis.scanIterator({ MATCH: `${ns}:*`, COUNT: 100 })) keys.push(...batch);
    expect(keys.sort()).toEqual([`${ns}:{published}:d:a`, `${ns}:{published}:m`, `${ns}:{published}:s`, `${ns}:{subscribed}:m`]);
    const ttls = Object.fromEntries(await Promise.all(keys.map(async (key) => [key.slice(ns.length + 1), await redis.pTTL(key)] as const)));
    expect(ttls['{published}:m']).toBeGreaterThan(3_000_000);
    expect(ttls['{subscribed}:m']).toBeGreaterThan(3_000_000);
    expect(ttls['{published}:s']).toBeGreaterThan(0);
    expect(ttls['{published}:s']).toBeLessThanOrEqual(60_000);
    expect(ttls['{published}:d:a']).toBeGreaterThan(0);
  } finally {
    await broker.close();
    await deleteRedisPrefix(redis, `${ns}:`);
  }
});

test('GIVEN a byte limit WHEN more is published THEN the stream is trimmed from its oldest end to stay under it, exactly', async () => {
  const ns = uniqueNamespace();
  const broker = createRedisBroker({ url: REDIS_URL, prefix: `${ns}:`, historyMaxBytes: 10_000 });
  const redis = await admin;
  try {
    for (let i = 1; i <= 100; i++) await broker.publish('t', { id: `m${i}`, data: 'x'.repeat(400), timestamp: Date.now() });
    const kept = await redis.xLen(`${ns}:{t}:s`);
    const bytes = Number(await redis.hGet(`${ns}:{t}:m`, 'b'));
    expect(bytes).toBeLessThanOrEqual(10_000);
    expect(kept).toBeGreaterThan(10);
    const stored = await redis.xRange(`${ns}:{t}:s`, '-', '+');
    expect((stored ?? []).reduce((sum, entry) => sum + Buffer.byteLength(String(entry.message.m)), 0)).toBe(bytes);
    const { epoch } = (await broker.history('t', { last: 0 })).head;
    expect((await broker.history('t', { since: { offset: 99 - kept, epoch } })).recovered).toBe(false);
    expect((await broker.history('t', { since: { offset: 100 - kept, epoch } })).messages).toHaveLength(kept);
  } finally {
    await broker.close();
    await deleteRedisPrefix(redis, `${ns}:`);
  }
});
