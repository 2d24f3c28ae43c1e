/**
 * A reconnect storm on Redis: the hub shares identical history reads, so many subscribers resuming a topic
 * from the same cursor cost Redis one read, not one each (issue 15). Real Redis; the Redis commands the hub
 * sends are counted on the client it was given.
 */
import { afterAll, expect, test } from 'vitest';
import { createHub } from '@qwik-realtime/server';
import { createRedisBroker } from '@qwik-realtime/server/redis';
import type { RedisClientLike } from '@qwik-realtime/server/redis';
import { openWs, startHubServer } from '../integration/helpers/index.js';
import type { WsClient } from '../integration/helpers/index.js';
import { uniqueNamespace } from './contract.js';
import { connectRedis, deleteRedisPrefix } from './targets.js';

const admin = connectRedis();
afterAll(async () => (await admin).destroy());

/** A real node-redis client whose history reads (the history script run in `since` mode) are counted. */
async function countingClient() {
  const client = (await connectRedis()) as unknown as RedisClientLike;
  const counts = { sinceReads: 0 };
  const counted = new Proxy(client, {
    get(target, property) {
      if (property === 'sendCommand') {
        return (args: ReadonlyArray<string>) => {
          // EVALSHA sha numkeys meta stream freshEpoch mode ...: the history script is the one with a mode.
          if ((args[0] === 'EVALSHA' || args[0] === 'EVAL') && args[6] === 'since') counts.sinceReads++;
          return target.sendCommand(args);
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { client: counted, counts, destroy: () => client.destroy() };
}

test('GIVEN a Redis hub WHEN 100 reads of one topic from the same cursor are asked at once THEN Redis is read once and each gets every message', async () => {
  const ns = uniqueNamespace();
  const redis = await countingClient();
  const hub = createHub({ broker: createRedisBroker({ client: redis.client, prefix: `${ns}:` }), onError: () => undefined });
  try {
    for (let n = 1; n <= 20; n++) await hub.publish('room', { n });
    const { epoch } = (await hub.options.broker.history('room', { last: 0 })).head;
    const before = redis.counts.sinceReads;
    const answers = await Promise.all(Array.from({ length: 100 }, () => hub.options.broker.history('room', { since: { offset: 5, epoch } })));
    expect(redis.counts.sinceReads - before).toBe(1);
    for (const answer of answers) {
      expect(answer.recovered).toBe(true);
      expect(answer.messages.map((message) => message.offset)).toEqual(Array.from({ length: 15 }, (_, i) => i + 6));
    }
  } finally {
    await hub.close();
    await deleteRedisPrefix(await admin, `${ns}:`);
    redis.destroy();
  }
});

test('GIVEN 100 WebSocket clients of a Redis hub WHEN they resume one topic from the same cursor at once THEN Redis sees far fewer reads than resumes and every client gets the replay, then live', async () => {
  const ns = uniqueNamespace();
  const redis = await countingClient();
  const server = await startHubServer({ broker: createRedisBroker({ client: redis.client, prefix: `${ns}:` }) });
  const clients: WsClient[] = [];
  try {
    for (let n = 1; n <= 30; n++) await server.hub.publish('room', { n });
    const { epoch } = (await server.hub.options.broker.history('room', { last: 0 })).head;
    for (let i = 0; i < 100; i++) clients.push(await openWs(server.wsUrl));
    await Promise.all(clients.map((client) => client.frames.take((frame) => frame.type === 'hello')));
    const before = redis.counts.sinceReads;
    for (const client of clients) client.send({ type: 'subscribe', topic: 'room', since: { offset: 10, epoch }, ref: 'r' });
    for (const client of clients) {
      expect(await client.frames.take((frame) => frame.type === 'subscribed')).toMatchObject({ recovered: true, replayed: 20 });
    }
    const reads = redis.counts.sinceReads - before;
    // One per resume without sharing; with it, one per read that was running while the others arrived.
    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThanOrEqual(10);
    await server.hub.publish('room', { n: 31 });
    for (const client of clients) {
      const offsets: number[] = [];
      while (offsets.at(-1) !== 31) offsets.push((await client.frames.take((frame) => frame.type === 'message')).offset);
      expect(offsets).toEqual(Array.from({ length: 21 }, (_, i) => i + 11));
    }
  } finally {
    for (const client of clients) client.close();
    await server.close();
    await deleteRedisPrefix(await admin, `${ns}:`);
    redis.destroy();
  }
});
