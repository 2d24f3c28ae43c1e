/**
 * Issue 9: an HTTP publish (`POST /publish`, every transport but WebSocket) against a hostile or broken server.
 * The client must keep its contract whatever the answer: no retry timer past what the platform holds (an
 * absurd `retryAfterMs` turned into immediate retries), no endless body buffered, and no publish resolved
 * without an acknowledgement.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { createBaseClient, longPollTransport } from '@qwik-realtime/core';
import type { BaseClientOptions, RealtimeClient } from '@qwik-realtime/core';
import { until } from './client-fixtures.js';
import { recordingPlatform } from './hardening-hostile-server.js';

const TIMER_MAX = 2 ** 31 - 1;
/** Longest server-announced duration the client honours (docs/protocol.md, "What a client takes from a server"). */
const ANNOUNCED_MAX = 300_000;

let server: Server | undefined;
let client: RealtimeClient | undefined;
const sockets = new Set<Socket>();
afterEach(async () => {
  client?.close();
  client = undefined;
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A server answering every `POST /publish` with `answer`; returns its mount URL and the publishes it saw. */
async function publishServer(answer: (req: IncomingMessage, res: ServerResponse) => void) {
  const seen = { posts: 0 };
  server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/realtime/publish') {
      seen.posts++;
      req.resume();
      req.on('end', () => answer(req, res));
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/realtime`, seen };
}

/** A client that never connects (HTTP publishes only) and records every timer delay it asks for. */
function recordingClient(url: string, extra: Partial<BaseClientOptions> = {}) {
  const { platform, delays } = recordingPlatform();
  client = createBaseClient({ url, transports: [longPollTransport()], ...extra, platform });
  return { client, delays };
}

describe('GIVEN a server refusing publishes with an absurd retry hint', () => {
  test.each([
    ['retryAfterMs 1e12 in the body', {}, '{"code":"broker_unavailable","message":"hostile","retryAfterMs":1e12}'],
    ['retryAfterMs 1e400 (Infinity) in the body', {}, '{"code":"broker_unavailable","message":"hostile","retryAfterMs":1e400}'],
    ['Retry-After: 1e9 seconds', { 'retry-after': '1000000000' }, 'not json'],
  ])('WHEN it says %s THEN the retry waits the capped hint, never an overflowed timer (one POST, not a burst)', async (_what, headers, body) => {
    const { url, seen } = await publishServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json', ...headers });
      res.end(body);
    });
    const { client, delays } = recordingClient(url);
    const settled = client.publish('t', 1).then(
      () => 'resolved',
      (error: { code?: string }) => error.code,
    );
    // The retry is scheduled once the refusal is read: the longest timer asked for is the retry's.
    await until(() => Math.max(0, ...delays) > ANNOUNCED_MAX / 2, 'the retry to be scheduled');
    expect(Math.max(...delays)).toBeLessThanOrEqual(TIMER_MAX);
    expect(Math.max(...delays)).toBeLessThanOrEqual(2 * ANNOUNCED_MAX);
    expect(seen.posts).toBe(1);
    client.close();
    expect(await settled).toBe('disconnected');
  });
});

describe('GIVEN a server whose publish answer never ends', () => {
  test('WHEN the client reads it THEN it stops after a small bound and retries, instead of buffering until the timeout', async () => {
    let written = 0;
    const { url, seen } = await publishServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = `{"pad":"${'x'.repeat(65_536)}`;
      // Bounded: at most 64 MiB, written as fast as the client reads.
      const pump = () => {
        while (written < 2 ** 26 && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const { client } = recordingClient(url, { publishRetries: 0, publishTimeoutMs: 20_000 });
    const error = await client.publish('t', 1).then(
      () => undefined,
      (caught: { code?: string }) => caught,
    );
    // The cut answer is no ack: the publish is refused (retryable internal), never resolved without one.
    expect(error).toMatchObject({ code: 'internal' });
    expect(seen.posts).toBe(1);
    // 64 KiB read, plus what the socket buffers held when the client cancelled.
    expect(written).toBeLessThan(2 ** 23);
  });
});

describe('GIVEN a 200 that is not an acknowledgement (a proxy page, an empty body)', () => {
  test.each([
    ['an HTML page', 'text/html', '<html>ok</html>'],
    ['an empty body', 'application/json', ''],
    ['JSON without an id', 'application/json', '{"ok":true}'],
  ])('WHEN the server answers %s THEN the publish is retried under the same id, then rejected, never resolved', async (_what, type, body) => {
    const ids: string[] = [];
    const { url, seen } = await publishServer((_req, res) => {
      res.writeHead(200, { 'content-type': type });
      res.end(body);
    });
    server!.prependListener('request', (req: IncomingMessage) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk));
      req.on('end', () => ids.push((JSON.parse(text) as { id: string }).id));
    });
    const { client } = recordingClient(url, { publishRetries: 1 });
    const outcome = await client.publish('t', 1).then(
      (ack) => ({ ack }),
      (caught: { code?: string }) => ({ code: caught.code }),
    );
    expect(outcome).toEqual({ code: 'internal' });
    expect(seen.posts).toBe(2);
    expect(new Set(ids).size).toBe(1);
  });
});
