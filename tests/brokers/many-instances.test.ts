import type { Broker } from '@qwik-realtime/server';
import { createNatsBroker } from '@qwik-realtime/server/nats';
import { createRedisBroker } from '@qwik-realtime/server/redis';
import { manyInstancesSuite } from './many-instances.js';
import { NATS_URL, REDIS_URL, natsTarget, redisTarget } from './targets.js';

manyInstancesSuite({ name: 'redis', make: (ns: string): Broker => createRedisBroker({ url: REDIS_URL, prefix: `${ns}:` }), target: redisTarget() });
manyInstancesSuite({ name: 'nats', make: (ns: string): Broker => createNatsBroker({ servers: NATS_URL, prefix: ns, storage: 'memory' }), target: natsTarget() });
