/**
 * End to end through a broker restart: browser-like clients (the `eventsource` package, `ws`) on hub A,
 * messages published on hub B, the private Redis / NATS server under both killed and restarted mid-stream.
 * Durable setups: every client sees every message once, in order, without reconnecting.
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { Broker } from '@qwik-realtime/server';
import { createNatsBroker } from '@qwik-realtime/server/nats';
import { createRedisBroker } from '@qwik-realtime/server/redis';
import { startHubServer, wsDriver } from '../integration/helpers/index.js';
import type { DriverConnection, TestHubServer } from '../integration/helpers/index.js';
import { eventSourceDriver } from './es-driver.js';
import { startNats, startRedis } from './servers.js';
import type { PrivateServer } from './servers.js';

const TOTAL = 40;
const KILL_AT = 15;
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
});

const backends = [
  {
    name: 'Redis (AOF, appendfsync always)',
    start: () => startRedis(true),
    broker: (server: PrivateServer): Broker => createRedisBroker({ url: server.url, prefix: 'hub:', commandTimeoutMs: 2000 }),
  },
  {
    name: 'NATS (file storage)',
    start: () => startNats(),
    broker: (server: PrivateServer): Broker => createNatsBroker({ servers: server.url, prefix: 'hub', requestTimeoutMs: 2000 }),
  },
];

describe.each(backends)('hub clients through a $name restart', ({ start, broker }) => {
  test('GIVEN SSE and WebSocket clients on hub A WHEN the broker restarts while hub B publishes THEN each client gets every message once, in order', async () => {
    const server = await start();
    cleanups.push(() => server.dispose());
    const hubs: TestHubServer[] = [];
    for (let i = 0; i < 2; i++) {
      const b = broker(server);
      const hub = await startHubServer({ broker: b });
      hubs.push(hub);
      cleanups.push(() => b.close(), () => hub.close());
    }
    const [a, b] = hubs as [TestHubServer, TestHubServer];
    const clients: DriverConnection[] = [];
    for (const driver of [eventSourceDriver, wsDriver]) {
      const client = await driver.open(a.base, ['ticks']);
      await client.subscribed.count(1);
      clients.push(client);
      cleanups.push(() => client.close());
    }

    let restarted: Promise<void> | undefined;
    let failures = 0;
    for (const i of range(1, TOTAL)) {
      for (let attempt = 0; ; attempt++) {
        try {
          await b.hub.publish('ticks', { i }, { id: `tick-${i}` });
          break;
        } catch (error) {
          expect((error as { code?: string }).code).toBe('broker_unavailable');
          if (attempt > 600) throw error;
          failures++;
          await delay(25);
        }
      }
      if (i === KILL_AT) {
        await Promise.all(clients.map((client) => client.messages.count(KILL_AT)));
        await server.stop();
        restarted = delay(300).then(() => server.start());
      }
    }
    await restarted;
    expect(failures).toBeGreaterThan(0);
    for (const client of clients) {
      const got = await client.messages.count(TOTAL, 30_000);
      expect(got.map((m) => m.offset)).toEqual(range(1, TOTAL));
      expect(got.map((m) => (m.data as { i: number }).i)).toEqual(range(1, TOTAL));
      expect(client.subscribed.items).toHaveLength(1);
    }
  }, 90_000);
});
