import { createMemoryBroker } from '@qwik-realtime/server';
import { afterEach, expect, test } from 'vitest';
import { openSse, startHubServer } from './helpers/index.js';
import type { TestHubServer } from './helpers/index.js';
import { maskedTextFrame, stalledClients } from './helpers/stalled-client.js';

let server: TestHubServer;
const stalled = stalledClients();
afterEach(async () => {
  stalled.destroyAll();
  await server?.close();
});
const stalledClient = stalled.open;

const LIMIT = 256 * 1024;
const payload = 'x'.repeat(32 * 1024);

test.each([
  ['sse', (topic: string) => `GET /realtime/sse?topic=${topic} HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n`],
  [
    'ws',
    (topic: string) =>
      'GET /realtime/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n' +
      maskedTextFrame(JSON.stringify({ type: 'subscribe', topic })),
  ],
] as const)('GIVEN a %s client that stops reading THEN it is cut as a slow consumer and the others keep being served', async (transport, request) => {
  server = await startHubServer({ maxBufferedBytes: LIMIT, broker: createMemoryBroker({ historySize: 10 }) });
  const healthy = await openSse(`${server.base}/sse?topic=feed`);
  await healthy.events.take((e) => e.event === 'subscribed');
  const [healthySession] = server.hub.sessions();
  await stalledClient(server.port, request('feed'));
  await expect.poll(() => server.hub.sessions().length).toBe(2);
  const stalled = server.hub.sessions().find((s) => s !== healthySession)!;
  await expect.poll(() => server.hub.stats().topics.feed).toBe(2);
  const alive = () => server.hub.sessions().includes(stalled);
  const baseline = process.memoryUsage().arrayBuffers;
  let published = 0;
  // Bounded: kernel socket buffers absorb a few MB on loopback before the hub's own buffer grows. The
  // healthy client reads each message before the next is published, so only the stalled one falls behind.
  while (alive() && published < 3000) {
    const ack = await server.hub.publish('feed', payload);
    await healthy.events.take((e) => e.event === 'message' && e.json.offset === ack.offset);
    published++;
  }
  expect(alive()).toBe(false);
  expect(published).toBeLessThan(3000);
  expect(server.hub.sessions()).toEqual([healthySession]);
  // Cut for the right reason: nothing reaches the stalled client, so the hub's own count says why.
  expect(server.hub.stats().disconnects).toEqual({ slow_consumer: 1 });
  // What the hub still holds for the cut client is released: no growth beyond a few buffers' worth.
  expect(process.memoryUsage().arrayBuffers - baseline).toBeLessThan(32 * 1024 * 1024);
  const ack = await server.hub.publish('feed', 'after');
  await healthy.events.take((e) => e.event === 'message' && e.json.offset === ack.offset, 10_000);
  healthy.close();
});
