/**
 * Broker faults: a private redis-server / nats-server is killed (SIGKILL) and started again in the middle
 * of a steady stream while subscribers are attached. The publisher retries each message with the same id
 * until it is acknowledged (ids are idempotency keys), as a hub client would.
 * Durable setups (Redis AOF + appendfsync always, NATS file storage): every subscriber gets every message
 * exactly once, in order. Redis without persistence: an explicit epoch change and recovered:false.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { createClient } from 'redis';
import type { Envelope } from '@qwik-realtime/core/protocol';
import { RealtimeError } from '@qwik-realtime/server';
import type { Broker, BrokerPublishResult } from '@qwik-realtime/server';
import { createNatsBroker } from '@qwik-realtime/server/nats';
import { createRedisBroker } from '@qwik-realtime/server/redis';
import type { RedisClientLike } from '@qwik-realtime/server/redis';
import { listen } from './contract.js';
import { startNats, startRedis } from './servers.js';
import type { PrivateServer } from './servers.js';

const TOTAL = 60;
const KILL_AT = 20;
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
});

/** Publish `id`, retrying while the broker is unavailable; every failure must be a broker_unavailable. */
async function publishUntilAcked(broker: Broker, topic: string, i: number, failures: unknown[]): Promise<BrokerPublishResult> {
  for (let attempt = 0; attempt < 600; attempt++) {
    try {
      return await broker.publish(topic, { id: `tick-${i}`, data: i, timestamp: Date.now() });
    } catch (error) {
      failures.push(error);
      await delay(25);
    }
  }
  throw new Error(`message ${i} was never acknowledged`);
}

/**
 * A steady stream of TOTAL messages; after the subscribers saw KILL_AT of them the server is killed, a
 * publish is checked to fail fast, and the server is started again while the stream keeps retrying.
 */
async function streamThroughRestart(server: PrivateServer, publisher: Broker, watched: Awaited<ReturnType<typeof listen>>[]) {
  const failures: unknown[] = [];
  const acks: BrokerPublishResult[] = [];
  let restarted: Promise<void> | undefined;
  for (const i of range(1, TOTAL)) {
    acks.push(await publishUntilAcked(publisher, 'ticks', i, failures));
    if (i === KILL_AT) {
      await Promise.all(watched.map((w) => w.waitFor(KILL_AT)));
      await server.stop();
      const down = await publisher.publish('ticks', { id: 'while-down', data: 0, timestamp: Date.now() }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(down).toBeInstanceOf(RealtimeError);
      expect((down as RealtimeError).code).toBe('broker_unavailable');
      await expect(publisher.history('ticks', { last: 1 })).rejects.toMatchObject({ code: 'broker_unavailable' });
      await expect(publisher.subscribe('other-topic', () => {})).rejects.toMatchObject({ code: 'broker_unavailable' });
      // Keep publishing (and failing) while it comes back.
      restarted = delay(300).then(() => server.start());
    }
  }
  await restarted;
  for (const failure of failures) expect((failure as RealtimeError).code).toBe('broker_unavailable');
  return { acks, failures };
}

describe('Redis restart during a steady stream', () => {
  const setup = async (durable: boolean) => {
    const server = await startRedis(durable);
    cleanups.push(() => server.dispose());
    // The publisher reconnects fast, one subscriber slowly: it misses Pub/Sub traffic and must read the gap.
    const fast = (await createClient({ url: server.url, disableOfflineQueue: true, socket: { reconnectStrategy: () => 50 } })
      .on('error', () => undefined)
      .connect()) as unknown as RedisClientLike;
    const slow = (await createClient({ url: server.url, disableOfflineQueue: true, socket: { reconnectStrategy: () => 1200 } })
      .on('error', () => undefined)
      .connect()) as unknown as RedisClientLike;
    cleanups.push(() => fast.destroy(), () => slow.destroy());
    const publisher = createRedisBroker({ client: fast, prefix: 'f:', commandTimeoutMs: 2000 });
    const slowSubscriber = createRedisBroker({ client: slow, prefix: 'f:' });
    const ownSubscriber = createRedisBroker({ url: server.url, prefix: 'f:' });
    cleanups.push(() => publisher.close(), () => slowSubscriber.close(), () => ownSubscriber.close());
    const watched = [await listen(slowSubscriber, 'ticks'), await listen(slowSubscriber, 'ticks'), await listen(ownSubscriber, 'ticks')];
    return { server, publisher, watched };
  };

  test('GIVEN AOF with appendfsync always WHEN Redis is killed and restarted THEN every subscriber has every message exactly once, in order', async () => {
    const { server, publisher, watched } = await setup(true);
    const { acks, failures } = await streamThroughRestart(server, publisher, watched);
    expect(failures.length).toBeGreaterThan(0);
    expect(acks.map((a) => a.message.offset)).toEqual(range(1, TOTAL));
    expect(new Set(acks.map((a) => a.message.epoch)).size).toBe(1);
    for (const w of watched) {
      await w.waitFor(TOTAL, 20_000);
      expect(w.offsets()).toEqual(range(1, TOTAL));
      expect(w.messages.map((m) => m.data)).toEqual(range(1, TOTAL));
    }
    const resumed = await publisher.history('ticks', { since: { offset: KILL_AT, epoch: acks[0]!.message.epoch } });
    expect([resumed.recovered, resumed.messages.length]).toEqual([true, TOTAL - KILL_AT]);
  }, 60_000);

  test('GIVEN no persistence WHEN Redis is killed and restarted THEN the epoch changes, resume says recovered:false, and later messages still arrive once', async () => {
    const { server, publisher, watched } = await setup(false);
    const { acks } = await streamThroughRestart(server, publisher, watched);
    await expectEpochChange(publisher, watched, acks);
  }, 60_000);
});

describe('Redis losing acknowledged writes', () => {
  test('GIVEN a restart that comes back with an older counter in the same epoch (lost AOF tail, failover) WHEN a subscriber catches up THEN the topic gets a new epoch instead of reusing offsets', async () => {
    const server = await startRedis(false);
    cleanups.push(() => server.dispose());
    const slow = (await createClient({ url: server.url, disableOfflineQueue: true, socket: { reconnectStrategy: () => 1200 } })
      .on('error', () => undefined)
      .connect()) as unknown as RedisClientLike;
    cleanups.push(() => slow.destroy());
    const subscriber = createRedisBroker({ client: slow, prefix: 'r:' });
    const publisher = createRedisBroker({ url: server.url, prefix: 'r:' });
    cleanups.push(() => subscriber.close(), () => publisher.close());
    const watched = await listen(subscriber, 'ticks');
    const failures: unknown[] = [];
    for (const i of range(1, 10)) await publishUntilAcked(publisher, 'ticks', i, failures);
    await watched.waitFor(10);
    const { epoch } = watched.messages[0]!;

    await server.stop();
    await server.start();
    const admin = await createClient({ url: server.url }).on('error', () => undefined).connect();
    cleanups.push(() => admin.destroy());
    await admin.hSet('r:{ticks}:m', { epoch, seq: '5' });

    await waitUntil(async () => (await admin.hGet('r:{ticks}:m', 'epoch')) !== epoch, 20_000, () => 'the epoch never changed');
    const acks = [];
    for (const i of range(11, 13)) acks.push(await publishUntilAcked(publisher, 'ticks', i, failures));
    const newEpoch = acks[0]!.message.epoch;
    expect(newEpoch).not.toBe(epoch);
    expect(acks.map((a) => a.message.offset)).toEqual([1, 2, 3]);
    await watched.waitFor(13);
    expect(watched.messages.map((m) => [m.offset, m.epoch === epoch ? 'old' : m.epoch === newEpoch ? 'new' : m.epoch])).toEqual([
      ...range(1, 10).map((o) => [o, 'old']),
      ...range(1, 3).map((o) => [o, 'new']),
    ]);
    expect((await publisher.history('ticks', { since: { offset: 10, epoch } })).recovered).toBe(false);
  }, 60_000);
});

describe('NATS restart during a steady stream', () => {
  const setup = async (storage: 'file' | 'memory') => {
    const server = await startNats();
    cleanups.push(() => server.dispose());
    const connectTo = async (wait: number): Promise<NatsConnection> => {
      const nc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: wait, reconnectJitter: 0 });
      cleanups.push(() => nc.close());
      return nc;
    };
    const publisher = createNatsBroker({ connection: await connectTo(100), prefix: 'f', storage, requestTimeoutMs: 2000 });
    const slowSubscriber = createNatsBroker({ connection: await connectTo(1200), prefix: 'f', storage });
    const ownSubscriber = createNatsBroker({ servers: server.url, prefix: 'f', storage });
    cleanups.push(() => publisher.close(), () => slowSubscriber.close(), () => ownSubscriber.close());
    await publisher.history('ticks', { last: 0 });
    const watched = [await listen(slowSubscriber, 'ticks'), await listen(slowSubscriber, 'ticks'), await listen(ownSubscriber, 'ticks')];
    return { server, publisher, watched };
  };

  test('GIVEN file storage WHEN nats-server is killed and restarted THEN every subscriber has every message exactly once, in order', async () => {
    const { server, publisher, watched } = await setup('file');
    const { acks, failures } = await streamThroughRestart(server, publisher, watched);
    expect(failures.length).toBeGreaterThan(0);
    expect(acks.map((a) => a.message.offset)).toEqual(range(1, TOTAL));
    expect(new Set(acks.map((a) => a.message.epoch)).size).toBe(1);
    for (const w of watched) {
      await w.waitFor(TOTAL, 30_000);
      expect(w.offsets()).toEqual(range(1, TOTAL));
      expect(w.messages.map((m) => m.data)).toEqual(range(1, TOTAL));
    }
  }, 90_000);

  test('GIVEN memory storage WHEN nats-server is killed and restarted THEN the stream is recreated, the epoch changes, resume says recovered:false', async () => {
    const { server, publisher, watched } = await setup('memory');
    const { acks } = await streamThroughRestart(server, publisher, watched);
    await expectEpochChange(publisher, watched, acks);
  }, 90_000);
});

/** History was lost in the restart: a new epoch from offset 1, recovered:false, new messages once each. */
async function expectEpochChange(publisher: Broker, watched: Awaited<ReturnType<typeof listen>>[], acks: BrokerPublishResult[]) {
  const before = acks[KILL_AT - 1]!.message;
  const newEpoch = acks.at(-1)!.message.epoch;
  expect(newEpoch).not.toBe(before.epoch);
  const fresh = acks.filter((a) => a.message.epoch === newEpoch);
  expect(fresh.map((a) => a.message.offset)).toEqual(range(1, fresh.length));
  const resumed = await publisher.history('ticks', { since: { offset: before.offset, epoch: before.epoch } });
  expect([resumed.recovered, resumed.messages]).toEqual([false, []]);
  const expected = fresh.map((a) => a.message.id);
  for (const w of watched) {
    await waitUntil(() => expected.every((id) => w.messages.some((m) => m.id === id)), 20_000, () =>
      `expected ${expected.join(',')}; got ${w.messages.map((m) => `${m.id}@${m.offset}.${m.epoch}`).join(',')}`);
    expect(w.messages.slice(0, KILL_AT).map((m) => [m.offset, m.epoch])).toEqual(range(1, KILL_AT).map((o) => [o, before.epoch]));
    expect(w.messages.filter((m: Envelope) => m.epoch === newEpoch).map((m) => m.id)).toEqual(expected);
    expect(new Set(w.messages.map((m) => m.id)).size).toBe(w.messages.length);
  }
}

async function waitUntil(check: () => boolean | Promise<boolean>, ms: number, explain: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${explain()}`);
    await delay(50);
  }
}
