/**
 * Contract targets: how the suite reaches each broker on the shared local servers (Redis 127.0.0.1:6379,
 * NATS 127.0.0.1:4222). Override with REDIS_URL / NATS_URL. A server that does not answer fails the suite.
 */
import { createClient } from 'redis';
import type { RedisClientType, RedisDefaultModules, RedisFunctions, RedisScripts } from 'redis';
import { createRedisBroker } from '@qwik-realtime/server/redis';
import { createNatsBroker, topicToToken } from '@qwik-realtime/server/nats';
import { createRabbitMqBroker } from '@qwik-realtime/server/rabbitmq';
import amqp from 'amqplib';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { createMemoryBroker } from '@qwik-realtime/server';
import type { Broker, MemoryBroker } from '@qwik-realtime/server';
import type { ContractTarget, TargetOptions } from './contract.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const NATS_URL = process.env.NATS_URL ?? '127.0.0.1:4222';
export const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** Memory: one shared broker per namespace stands for "one backend"; losing history = a restarted process. */
export function memoryTarget(): ContractTarget {
  const shared = new Map<string, MemoryBroker>();
  const view = (broker: Broker): Broker => ({ ...broker, close: async () => {} });
  return {
    name: 'memory',
    async create(ns, options) {
      let broker = shared.get(ns);
      if (!broker) shared.set(ns, (broker = createMemoryBroker({ ...options })));
      return view(broker);
    },
    async loseHistory(ns) {
      await shared.get(ns)?.close();
      const fresh = createMemoryBroker();
      shared.set(ns, fresh);
      return view(fresh);
    },
    async footprint(ns) {
      return shared.get(ns)?.stats().topics ?? 0;
    },
    async cleanup(ns) {
      await shared.get(ns)?.close();
      shared.delete(ns);
    },
  };
}

/** A connected node-redis client for test setup (errors are retried by the client, not thrown). */
export const connectRedis = (url = REDIS_URL): Promise<RedisAdmin> =>
  createClient({ url }).on('error', () => {}).connect() as unknown as Promise<RedisAdmin>;
export type RedisAdmin = RedisClientType<RedisDefaultModules, RedisFunctions, RedisScripts, 3>;

/** Deletes every key under a Redis prefix (SCAN, never KEYS). */
export async function deleteRedisPrefix(admin: RedisAdmin, prefix: string): Promise<void> {
  for await (const batch of admin.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
    if (batch.length) await admin.del(batch);
  }
}

/** Redis in streams mode; losing history = the topic's keys deleted (what FLUSHALL does to it). */
export function redisTarget(): ContractTarget {
  let admin: Promise<RedisAdmin> | undefined;
  const adminClient = () => (admin ??= connectRedis());
  let created = 0;
  return {
    name: 'redis (streams)',
    async create(ns, options) {
      // Half the instances get an injected client (the usual production shape), half open their own.
      if (++created % 2) return createRedisBroker({ url: REDIS_URL, prefix: `${ns}:`, ...options });
      const client = await connectRedis();
      const broker = createRedisBroker({ client, prefix: `${ns}:`, ...options });
      return { ...broker, close: async () => (await broker.close(), client.destroy()) };
    },
    async loseHistory(ns, topic, broker) {
      await (await adminClient()).del([`${ns}:{${topic}}:m`, `${ns}:{${topic}}:s`]);
      return broker;
    },
    async footprint(ns) {
      let keys = 0;
      for await (const batch of (await adminClient()).scanIterator({ MATCH: `${ns}:*`, COUNT: 500 })) keys += batch.length;
      return keys;
    },
    async cleanup(ns) {
      await deleteRedisPrefix(await adminClient(), `${ns}:`);
    },
    async dispose() {
      if (admin) (await admin).destroy();
    },
  };
}

/** NATS JetStream; a namespace is a subject prefix with its own stream; losing history = purging the subject. */
export function natsTarget(): ContractTarget {
  let admin: Promise<NatsConnection> | undefined;
  const adminJsm = async () => jetstreamManager(await (admin ??= connect({ servers: NATS_URL })));
  return {
    name: 'nats (jetstream)',
    async create(ns, options) {
      return createNatsBroker({ servers: NATS_URL, prefix: ns, ...options, storage: 'memory' });
    },
    async loseHistory(ns, topic, broker) {
      await (await adminJsm()).streams.purge(`QR_${ns}`, { filter: `${ns}.${topicToToken(topic)}` });
      return broker;
    },
    async footprint(ns) {
      const info = await (await adminJsm()).streams.info(`QR_${ns}`).catch(() => undefined);
      return info ? info.state.messages + info.state.last_seq : 0;
    },
    async cleanup(ns) {
      await (await adminJsm()).streams.delete(`QR_${ns}`).catch(() => false);
    },
    async dispose() {
      if (admin) await (await admin).close();
    },
  };
}

/** Topics each RabbitMQ namespace touched: stream names are not listable over AMQP, cleanup needs them. */
const rabbitTopics = new Map<string, Set<string>>();

/** A RabbitMQ broker on `ns` that records the topics it touches, so the target can clean them up. */
export function createTrackedRabbitMq(ns: string, options: TargetOptions & { requestTimeoutMs?: number } = {}): Broker {
  const broker = createRabbitMqBroker({ url: AMQP_URL, prefix: `${ns}.`, ...options });
  const topics = rabbitTopics.get(ns) ?? new Set<string>();
  rabbitTopics.set(ns, topics);
  return {
    ...broker,
    publish: (topic, message) => (topics.add(topic), broker.publish(topic, message)),
    subscribe: (topic, listener) => (topics.add(topic), broker.subscribe(topic, listener)),
    history: (topic, query) => (topics.add(topic), broker.history(topic, query)),
  };
}

/** RabbitMQ streams; a namespace is a queue-name prefix; losing history = deleting the topic's stream. */
export function rabbitmqTarget(): ContractTarget {
  let admin: Promise<amqp.ChannelModel> | undefined;
  const adminConnection = () => (admin ??= amqp.connect(AMQP_URL));
  const withChannel = async <T>(fn: (channel: amqp.Channel) => Promise<T>): Promise<T> => {
    const channel = await (await adminConnection()).createChannel();
    channel.on('error', () => undefined);
    try {
      return await fn(channel);
    } finally {
      await channel.close().catch(() => undefined);
    }
  };
  const exists = (queue: string) => withChannel((channel) => channel.checkQueue(queue).then(() => true, () => false));
  const remove = (queue: string) => withChannel((channel) => channel.deleteQueue(queue).catch(() => undefined));
  return {
    name: 'rabbitmq (streams)',
    async create(ns, options) {
      return createTrackedRabbitMq(ns, options);
    },
    async loseHistory(ns, topic, broker) {
      await remove(`${ns}.${topic}`);
      return broker;
    },
    async footprint(ns) {
      let count = 0;
      for (const topic of rabbitTopics.get(ns) ?? []) if (await exists(`${ns}.${topic}`)) count++;
      return count;
    },
    async cleanup(ns) {
      for (const topic of rabbitTopics.get(ns) ?? []) await remove(`${ns}.${topic}`);
      rabbitTopics.delete(ns);
    },
    async dispose() {
      if (admin) await (await admin).close().catch(() => undefined);
    },
  };
}
