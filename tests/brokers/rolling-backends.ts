/**
 * The brokers of the rolling-restart test, by name, made the same way in the test process (publisher,
 * cleanup) and in each hub process (tests/brokers/rolling-hub.ts).
 */
import { createRedisBroker } from '@qwik-realtime/server/redis';
import { createNatsBroker } from '@qwik-realtime/server/nats';
import type { Broker } from '@qwik-realtime/server';
import type { ContractTarget } from './contract.js';
import { NATS_URL, REDIS_URL, connectRedis, createTrackedRabbitMq, natsTarget, rabbitmqTarget, redisTarget } from './targets.js';

export type RollingBrokerName = 'redis' | 'nats' | 'rabbitmq';

/** A broker on namespace `ns`; its `close` also releases what it was given. */
export async function rollingBroker(name: RollingBrokerName, ns: string): Promise<Broker> {
  if (name === 'redis') {
    // A client connected up front (docs/server.md): the broker's own lazy import would stall a fresh hub.
    const client = await connectRedis(REDIS_URL);
    const broker = createRedisBroker({ client, prefix: `${ns}:` });
    return { ...broker, close: async () => (await broker.close(), client.destroy()) };
  }
  if (name === 'nats') return createNatsBroker({ servers: NATS_URL, prefix: ns, storage: 'memory' });
  return createTrackedRabbitMq(ns);
}

/** The contract target that cleans up namespace `ns` of `name`. */
export function rollingTarget(name: RollingBrokerName): ContractTarget {
  return name === 'redis' ? redisTarget() : name === 'nats' ? natsTarget() : rabbitmqTarget();
}
