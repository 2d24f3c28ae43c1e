import { connect } from 'node:net';
import { afterEach, expect, test, vi } from 'vitest';
import { openSse, openWs, startHubServer } from './helpers/index.js';
import type { TestHubServer } from './helpers/index.js';

let server: TestHubServer;
afterEach(async () => {
  vi.useRealTimers();
  await server?.close();
});

// Only the hub's timers are faked; sockets and setImmediate stay real.
const fakeHubTimers = () => vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'Date'] });

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

test('GIVEN a WebSocket peer that answers nothing (half-open) THEN it is kept after one heartbeat and dropped at the second (two silent intervals); a live ws client is kept', async () => {
  server = await startHubServer({ heartbeatMs: 10_000 });
  fakeHubTimers();
  const live = await openWs(server.wsUrl);
  await live.frames.take((f) => f.type === 'hello');
  // expect.poll would run on the faked timers: wait on real event-loop turns instead (bounded).
  // A raw upgrade that never reads nor answers pings.
  const silent = connect(server.port, '127.0.0.1');
  silent.on('error', () => undefined);
  await new Promise<void>((resolve) => silent.once('connect', resolve));
  silent.write('GET /realtime/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
  silent.pause();
  for (let turn = 0; turn < 200 && server.hub.stats().connections.ws < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
  expect(server.hub.stats().connections.ws).toBe(2);
  const beat = async () => {
    await vi.advanceTimersByTimeAsync(10_000);
    // Let the live client's automatic pong travel back before the next beat.
    await live.frames.take((f) => f.type === 'ping');
  };
  await beat();
  // One unanswered heartbeat is not enough: the silent peer is still there.
  for (let turn = 0; turn < 50; turn++) await new Promise((resolve) => setImmediate(resolve));
  expect(server.hub.stats().connections.ws).toBe(2);
  await beat();
  for (let turn = 0; turn < 200 && server.hub.stats().connections.ws > 1; turn++) await new Promise((resolve) => setImmediate(resolve));
  expect(server.hub.stats().connections.ws).toBe(1);
  expect(server.hub.stats().disconnects.heartbeat_timeout).toBe(1);
  expect(live.socket.readyState).toBe(live.socket.OPEN);
  silent.destroy();
  live.socket.terminate();
});
