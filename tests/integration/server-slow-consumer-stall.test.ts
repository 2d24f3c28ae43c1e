import { setTimeout as sleep } from 'node:timers/promises';
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

const payload = 'x'.repeat(32 * 1024);

test.each([
  ['sse', (topic: string) => `GET /realtime/sse?topic=${topic} HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n`],
  [
    'ws',
    (topic: string) =>
      'GET /realtime/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n' +
      maskedTextFrame(JSON.stringify({ type: 'subscribe', topic })),
  ],
] as const)(
  'GIVEN a %s client that stops reading, far below maxBufferedBytes WHEN the network takes none of its bytes for slowConsumerMs THEN it is cut as a slow consumer',
  async (transport, request) => {
    // maxBufferedBytes is out of reach here: only the no-progress rule can cut the stalled client.
    server = await startHubServer({ maxBufferedBytes: 512 * 1024 * 1024, slowConsumerMs: 300, broker: createMemoryBroker({ historySize: 10 }) });
    const healthy = await openSse(`${server.base}/sse?topic=feed`);
    await healthy.events.take((e) => e.event === 'subscribed');
    const [healthySession] = server.hub.sessions();
    await stalledClient(server.port, request('feed'));
    await expect.poll(() => server.hub.sessions().length).toBe(2);
    const stalled = server.hub.sessions().find((s) => s !== healthySession)!;
    await expect.poll(() => server.hub.stats().topics.feed).toBe(2);
    const alive = () => server.hub.sessions().includes(stalled);
    let published = 0;
    // The kernel's socket buffers take a few MB before anything waits in the hub; after that the stalled
    // client's queue does not move while the healthy one keeps reading every message.
    while (alive() && published < 1500) {
      const ack = await server.hub.publish('feed', payload);
      await healthy.events.take((e) => e.event === 'message' && e.json.offset === ack.offset);
      published++;
      await sleep(5);
    }
    expect(alive()).toBe(false);
    expect(server.hub.sessions()).toEqual([healthySession]);
    expect(server.hub.stats().disconnects).toEqual({ slow_consumer: 1 });
    const ack = await server.hub.publish('feed', 'after');
    await healthy.events.take((e) => e.event === 'message' && e.json.offset === ack.offset, 10_000);
    healthy.close();
  },
  60_000,
);

test('GIVEN a client that keeps reading in bursts WHEN its bytes wait in the hub between bursts THEN it is not cut', async () => {
  server = await startHubServer({ maxBufferedBytes: 512 * 1024 * 1024, slowConsumerMs: 1000, broker: createMemoryBroker({ historySize: 10 }) });
  const reader = await stalledClient(server.port, `GET /realtime/sse?topic=feed HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n`);
  await expect.poll(() => server.hub.stats().topics.feed).toBe(1);
  // Fill the kernel's buffers and more, then let the reader take what is there every 150 ms: for 4 s bytes
  // wait in the hub most of the time (longer than slowConsumerMs in total), but the queue keeps moving.
  for (let i = 0; i < 300; i++) await server.hub.publish('feed', payload);
  for (let round = 0; round < 25; round++) {
    reader.resume();
    await sleep(20);
    reader.pause();
    for (let i = 0; i < 20; i++) await server.hub.publish('feed', payload);
    await sleep(130);
  }
  expect(server.hub.stats().disconnects).toEqual({});
  expect(server.hub.sessions()).toHaveLength(1);
});
