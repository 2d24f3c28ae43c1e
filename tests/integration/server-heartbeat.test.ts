import { afterEach, expect, test, vi } from 'vitest';
import { openSse, openWs, startHubServer } from './helpers/index.js';
import type { TestHubServer } from './helpers/index.js';

let server: TestHubServer;
afterEach(async () => {
  vi.useRealTimers();
  await server?.close();
});

// Only the hub's timers are faked; sockets and setImmediate stay real.
const fakeHubTimers = () => vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });

test.each(['sse', 'ws'] as const)('GIVEN heartbeatMs 10000 over %s THEN hello announces it and a ping follows every interval, none earlier', async (transport) => {
  server = await startHubServer({ heartbeatMs: 10_000 });
  fakeHubTimers();
  const pings: number[] = [];
  let sentinel = 0;
  let hello: { heartbeatMs: number } | undefined;
  // Publishing a marker and waiting for it proves every ping sent before it has arrived too.
  let waitMarker: () => Promise<void>;
  if (transport === 'sse') {
    const stream = await openSse(`${server.base}/sse?topic=hb`);
    hello = (await stream.events.take((e) => e.event === 'hello')).json;
    await stream.events.take((e) => e.event === 'subscribed');
    const push = stream.events.push.bind(stream.events);
    stream.events.push = (event) => {
      if (event.event === 'ping') pings.push(Date.now());
      push(event);
    };
    waitMarker = async () => {
      const ack = await server.hub.publish('hb', ++sentinel);
      await stream.events.next((e) => e.event === 'message' && e.json.offset === ack.offset);
    };
  } else {
    const client = await openWs(server.wsUrl);
    hello = await client.frames.take((f) => f.type === 'hello');
    client.send({ type: 'subscribe', topic: 'hb' });
    await client.frames.take((f) => f.type === 'subscribed');
    client.socket.on('message', (raw) => {
      if (JSON.parse(String(raw)).type === 'ping') pings.push(Date.now());
    });
    waitMarker = async () => {
      const ack = await server.hub.publish('hb', ++sentinel);
      await client.frames.next((f) => f.type === 'message' && f.offset === ack.offset);
    };
  }
  expect(hello?.heartbeatMs).toBe(10_000);
  await vi.advanceTimersByTimeAsync(9_999);
  await waitMarker();
  expect(pings).toHaveLength(0);
  await vi.advanceTimersByTimeAsync(1);
  await waitMarker();
  expect(pings).toHaveLength(1);
  await vi.advanceTimersByTimeAsync(30_000);
  await waitMarker();
  expect(pings).toHaveLength(4);
});
