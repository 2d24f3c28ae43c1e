import { connect as tcpConnect } from 'node:net';
import type { Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CLOSE_CODES } from '@qwik-realtime/core/protocol';
import { afterEach, describe, expect, test } from 'vitest';
import { openWs, startHubServer } from './helpers/index.js';
import type { TestHubServer, WsClient } from './helpers/index.js';
import { clientTextFrame, upgradeRequest } from './hardening-raw.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapUsed = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

let server: TestHubServer;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await server?.close();
});

const turn = () => new Promise((resolve) => setTimeout(resolve, 1));

/** An honest subscriber on `topic`: it must keep receiving while another connection misbehaves. */
async function honestSubscriber(topic: string) {
  const client = await openWs(server.wsUrl);
  client.send({ type: 'subscribe', topic });
  await client.frames.take((f) => f.type === 'subscribed');
  return {
    client,
    async receives() {
      const ack = await server.hub.publish(topic, 'for the honest one');
      await client.frames.take((f) => f.type === 'message' && f.offset === ack.offset, 10_000);
      client.send({ type: 'ping' });
      await client.frames.take((f) => f.type === 'pong');
    },
  };
}

describe('GIVEN the default inbound limits (200 frames/s, burst 400)', () => {
  test('WHEN a client floods 20k frames, paced so some are accepted all along THEN it is closed with rate_limited, got few error frames, the heap did not grow, and an honest client is unaffected', async () => {
    server = await startHubServer();
    const honest = await honestSubscriber('calm');
    const before = heapUsed();
    const flooder: WsClient = await openWs(server.wsUrl);
    let closed: { code: number } | undefined;
    void flooder.closed.then((result) => (closed = result));
    let sent = 0;
    // Bounded: at most 20k frames, in small batches spread over event-loop turns (a steady flood that the
    // token bucket keeps refilling: the refused-frame count must not reset on each accepted frame).
    while (closed === undefined && sent < 20_000) {
      for (let i = 0; i < 20 && flooder.socket.readyState === flooder.socket.OPEN; i++, sent++) flooder.send('{"type":"ping"}');
      await turn();
    }
    for (let i = 0; i < 2000 && closed === undefined; i++) await turn();
    expect(closed?.code).toBe(CLOSE_CODES.rate_limited);
    const errors = flooder.frames.items.filter((f) => f.type === 'error' && f.code === 'rate_limited').length;
    // Never a flood back: error replies are capped per second, whatever the number of refused frames.
    expect(errors).toBeGreaterThan(0);
    expect(errors).toBeLessThanOrEqual(60);
    expect(heapUsed() - before).toBeLessThan(16 * 1024 * 1024);
    expect(server.hub.stats().disconnects.rate_limited).toBe(1);
    await honest.receives();
  });
});

describe('GIVEN a slow authorize hook (stalled until released)', () => {
  test('WHEN a client sends 900 frames of 60 KB behind it THEN the hub stops reading (bounded heap), and once released every frame is answered', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let asked = 0;
    server = await startHubServer({
      inboundFramesPerSecond: 100_000,
      inboundFrameBurst: 100_000,
      authorize: async (_principal, action, topic) => {
        if (action === 'publish' && topic === 'slow') {
          asked++;
          await released;
          return false;
        }
        return true;
      },
    });
    const honest = await honestSubscriber('calm');
    const before = heapUsed();
    const socket = tcpConnect(server.port, '127.0.0.1');
    sockets.push(socket);
    socket.on('error', () => undefined);
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(upgradeRequest());
    for (let i = 0; i < 200 && !received.includes('\r\n\r\n'); i++) await turn();
    expect(received).toMatch(/^HTTP\/1\.1 101/);
    // One shared buffer written 900 times: the client side holds references, not copies.
    const frame = clientTextFrame(JSON.stringify({ type: 'publish', topic: 'slow', ref: 'r', data: 'x'.repeat(60_000) }));
    for (let i = 0; i < 900; i++) socket.write(frame);
    for (let i = 0; i < 200 && asked === 0; i++) await turn();
    expect(asked).toBe(1);
    // Wait until the transfer settles: everything was read (no bound), or the server stopped reading.
    let last = -1;
    for (let stable = 0, i = 0; i < 3000 && stable < 50 && socket.writableLength > 0; i++) {
      stable = socket.writableLength === last ? stable + 1 : 0;
      last = socket.writableLength;
      await turn();
    }
    expect(socket.writableLength).toBeGreaterThan(0);
    expect(heapUsed() - before).toBeLessThan(16 * 1024 * 1024);
    await honest.receives();
    release();
    const answered = () => received.split('"code":"forbidden"').length - 1;
    for (let i = 0; i < 5000 && answered() < 900; i++) await turn();
    expect(answered()).toBe(900);
    await honest.receives();
  });
});
