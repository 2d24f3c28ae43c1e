import { defineConfig } from 'tsup';

// Sourcemaps are off below: without the sources (not shipped) they were most of the tarball and mapped to nothing.
const external = ['@qwik-realtime/core', 'ws', 'redis', '@nats-io/transport-node', '@nats-io/jetstream', 'amqplib', 'prom-client'];

const entry = { index: 'src/index.ts', vite: 'src/vite.ts', 'qwik-city': 'src/qwik-city.ts', redis: 'src/brokers/redis.ts', nats: 'src/brokers/nats.ts', rabbitmq: 'src/brokers/rabbitmq.ts', metrics: 'src/metrics.ts' };

export default defineConfig({
  // One build for the library and the standalone server (`bin`), so the bin shares the library's chunks and
  // imports core like the library does: one copy of the hub and of the protocol per install.
  entry: { ...entry, bin: 'src/bin.ts' },
  format: ['esm'],
  dts: { entry },
  platform: 'node',
  target: 'node20',
  sourcemap: false,
  external,
});
