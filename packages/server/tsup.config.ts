import { defineConfig } from 'tsup';

const external = ['@qwik-realtime/core', 'ws', 'redis', 'ioredis', '@nats-io/transport-node', '@nats-io/jetstream', 'amqplib'];

export default defineConfig([
  {
    // The library: core stays a dependency (one copy of the protocol in an app).
    entry: { index: 'src/index.ts', vite: 'src/vite.ts', 'qwik-city': 'src/qwik-city.ts', redis: 'src/brokers/redis.ts', nats: 'src/brokers/nats.ts' },
    format: ['esm'],
    dts: true,
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    external,
  },
  {
    // The standalone server: the protocol is bundled in, so it runs without a built core.
    entry: { bin: 'src/bin.ts' },
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    noExternal: ['@qwik-realtime/core'],
    external: external.filter((name) => name !== '@qwik-realtime/core'),
  },
]);
