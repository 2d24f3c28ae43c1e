/**
 * Complete HTTP answers to clients that never read them (Node handler): a long-poll answer of ~16 MB to a
 * socket that stopped reading is cut after `slowConsumerMs` without progress, as streams are, instead of
 * staying in the hub's memory for as long as the socket stays open (40 such polls held ~750 MB). A client
 * that reads slowly gets its whole answer.
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { startHubServer } from './helpers/index.js';
import type { TestHubServer } from './helpers/index.js';

let server: TestHubServer | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await server?.close();
  server = undefined;
});

/** A hub whose topic `big` holds ~16 MB of history (1,000 messages of 16 KiB), answered in one poll. */
async function hubWithBigHistory(): Promise<TestHubServer> {
  const hub = await startHubServer({ slowConsumerMs: 300, pollAnswerMaxBytes: 32 * 1024 * 1024 });
  const pad = 'x'.repeat(16 * 1024);
  for (let i = 0; i < 1000; i++) await hub.hub.publish('big', { i, pad });
  return hub;
}

/** Ask for the whole history in one poll answer over a raw socket. */
function pollBig(port: number): Socket {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  socket.on('error', () => undefined);
  socket.write('GET /realtime/poll?topic=big&history=1000 HTTP/1.1\r\nHost: x\r\n\r\n');
  return socket;
}

/**
 * Read the whole HTTP answer from `socket` (pausing `pauseMs` after each chunk) until it is complete or the
 * socket closes; returns the bytes received and the bytes the head announced.
 */
function readAnswer(socket: Socket, pauseMs: number): Promise<{ received: number; expected: number }> {
  return new Promise((resolve) => {
    let received = 0;
    let expected = Infinity;
    let head = '';
    const done = () => resolve({ received, expected });
    socket.on('data', (chunk: Buffer) => {
      if (expected === Infinity) {
        head += chunk.toString('latin1');
        const split = head.indexOf('\r\n\r\n');
        if (split >= 0) expected = split + 4 + Number(/content-length: (\d+)/i.exec(head)?.[1]);
      }
      received += chunk.length;
      if (received >= expected) return done();
      if (pauseMs > 0) {
        socket.pause();
        setTimeout(() => socket.resume(), pauseMs);
      }
    });
    socket.once('close', done);
    socket.resume();
  });
}

describe('GIVEN a long-poll answer of ~16 MB', () => {
  test('WHEN the client stops reading it THEN the hub cuts the socket after slowConsumerMs without progress', async () => {
    server = await hubWithBigHistory();
    const socket = pollBig(server.port);
    socket.pause();
    // A paused socket sees no close: look after five times slowConsumerMs whether the rest still comes.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const { received, expected } = await readAnswer(socket, 0);
    expect(expected).toBeGreaterThan(16_000_000);
    expect(received).toBeLessThan(expected);
  });

  test('WHEN the client reads it slowly THEN it gets the whole answer', async () => {
    server = await hubWithBigHistory();
    const socket = pollBig(server.port);
    // In bursts with pauses: slower than the hub writes, but the socket keeps draining.
    const { received, expected } = await readAnswer(socket, 5);
    expect(received).toBe(expected);
  });
});
