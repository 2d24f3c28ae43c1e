import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { PollResponse } from '@qwik-realtime/core/protocol';
import { afterEach, describe, expect, test } from 'vitest';
import { startHubServer } from './helpers/index.js';
import type { TestHubServer } from './helpers/index.js';

let server: TestHubServer;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await server?.close();
});

/** One kept-alive HTTP/1.1 connection: send requests one after another, read each answer, see it close. */
function keptAlive(port: number) {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  let text = '';
  let wake: (() => void) | undefined;
  socket.on('data', (chunk) => {
    text += chunk.toString('latin1');
    wake?.();
  });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return {
    closed,
    isClosed: () => socket.destroyed || socket.readableEnded,
    /** Send a GET on this connection and wait (bounded) for its whole answer. */
    async get(target: string): Promise<{ status: number; head: string; body: string }> {
      text = '';
      socket.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n`);
      const end = Date.now() + 15_000;
      for (;;) {
        const split = text.indexOf('\r\n\r\n');
        const length = /content-length: (\d+)/i.exec(text)?.[1];
        if (split >= 0 && length !== undefined && Buffer.byteLength(text.slice(split + 4), 'latin1') >= Number(length)) {
          return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), head: text.slice(0, split), body: text.slice(split + 4) };
        }
        if (Date.now() > end) throw new Error(`no complete answer to ${target}: ${JSON.stringify(text)}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
    },
  };
}

describe('GIVEN a long-poll client on a kept-alive connection', () => {
  // A draining hub that kept the socket open got every later poll of that client (its HTTP pool reuses the
  // socket), answered it server_shutdown again and again while the next hub was already up: in the storm
  // benchmark, long-poll clients backed off for 20 s and more behind a drained hub.
  test('WHEN hub.close({ drainMs }) answers its waiting poll THEN the answer says connection: close and the socket ends', async () => {
    server = await startHubServer();
    const conn = keptAlive(server.port);
    const first = await conn.get('/realtime/poll?topic=a');
    expect(first.status).toBe(200);
    expect(first.head).not.toMatch(/^connection: close/im);
    const { cursor } = JSON.parse(first.body) as PollResponse;
    const waiting = conn.get(`/realtime/poll?topic=a&timeout=10000&cursor=${encodeURIComponent(cursor)}`);
    await expect.poll(() => server.hub.stats().connections.poll).toBe(1);
    await server.hub.close({ drainMs: 5000 });
    const answer = await waiting;
    expect(answer.status).toBe(200);
    expect((JSON.parse(answer.body) as PollResponse).reconnectWithinMs).toBe(5000);
    expect(answer.head).toMatch(/^connection: close\r?$/im);
    await conn.closed;
  });

  test('WHEN it polls a hub that is already closed THEN 503 server_shutdown with connection: close and the socket ends', async () => {
    server = await startHubServer();
    const conn = keptAlive(server.port);
    expect((await conn.get('/realtime/poll?topic=a')).status).toBe(200);
    await server.hub.close();
    const refused = await conn.get('/realtime/poll?topic=a');
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body).code).toBe('server_shutdown');
    expect(refused.head).toMatch(/^connection: close\r?$/im);
    await conn.closed;
  });
});
