import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { createMemoryBroker } from '@qwik-realtime/server';
import type { Broker } from '@qwik-realtime/server';
import { afterEach, expect, test } from 'vitest';
import { startHubServer } from './helpers/index.js';
import type { TestHubServer } from './helpers/index.js';

let server: TestHubServer;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await server?.close();
});

/** Open an SSE stream with raw bytes; resolves with the status and (for 503) the ErrorBody. */
function openRaw(port: number, path: string): Promise<{ status: number; body?: { code: string; retryAfterMs: number } }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    let text = '';
    socket.on('error', () => resolve({ status: 0 }));
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      if (split < 0 || status === 0) return;
      if (status === 200) return resolve({ status });
      const length = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? -1);
      if (text.length - split - 4 >= length) {
        socket.destroy();
        resolve({ status, body: JSON.parse(text.slice(split + 4)) });
      }
    });
    socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
  });
}

test('GIVEN a reconnect storm of 300 SSE clients each replaying history from a slow broker THEN at most maxConcurrentHandshakes replays run at once, the rest get try_again_later, and all are live after honouring retryAfterMs', async () => {
  const memory = createMemoryBroker();
  let running = 0;
  let peak = 0;
  // History reads stall until the test opens the gate (a slow backend during a storm): without a cap every
  // replay of the storm would be running at once.
  let open = false;
  const stalled: (() => void)[] = [];
  const broker: Broker = {
    ...memory,
    async history(topic, query) {
      running++;
      peak = Math.max(peak, running);
      try {
        if (!open) await new Promise<void>((resolve) => stalled.push(resolve));
        return await memory.history(topic, query);
      } finally {
        running--;
      }
    },
  };
  server = await startHubServer({ broker, maxConcurrentHandshakes: 16, handshakeRetryAfterMs: 50 });
  for (let i = 0; i < 20; i++) await server.hub.publish(`storm${i % 10}`, { i });
  let refusals = 0;
  const refusedOnce = new Set<number>();
  const clients = Array.from({ length: 300 }, async (_, i) => {
    // Bounded: a client gives up after 200 refusals (the test then fails on the count below).
    for (let attempt = 0; attempt < 200; attempt++) {
      // A history count of its own: the hub shares identical reads, and each client's must reach the broker.
      const answer = await openRaw(server.port, `/realtime/sse?topic=storm${i % 10}&history=${2 + Math.floor(i / 10)}`);
      if (answer.status === 200) return true;
      expect(answer.status).toBe(503);
      expect(answer.body?.code).toBe('try_again_later');
      refusals++;
      refusedOnce.add(i);
      await new Promise((resolve) => setTimeout(resolve, answer.body!.retryAfterMs));
    }
    return false;
  });
  // Bounded wait until the storm is at its height: 16 replays stalled, every other client refused at least once.
  for (let i = 0; i < 5000 && !(running === 16 && refusedOnce.size === 284); i++) await new Promise((resolve) => setTimeout(resolve, 2));
  expect(running).toBe(16);
  expect(refusedOnce.size).toBe(284);
  open = true;
  for (const resume of stalled.splice(0)) resume();
  const live = await Promise.all(clients);
  expect(live.every(Boolean)).toBe(true);
  expect(server.hub.stats().connections.sse).toBe(300);
  expect(peak).toBeLessThanOrEqual(16);
  await memory.close();
}, 60_000);
