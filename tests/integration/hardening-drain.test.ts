import { CLOSE_CODES } from '@qwik-realtime/core/protocol';
import type { PollResponse } from '@qwik-realtime/core/protocol';
import { afterEach, describe, expect, test } from 'vitest';
import { openSse, openWs, startHubServer } from './helpers/index.js';
import type { TestHubServer } from './helpers/index.js';
import { completeBody, rawRequest, upgradeRequest } from './hardening-raw.js';

let server: TestHubServer;
afterEach(() => server?.close());

describe('GIVEN hub.close({ drainMs: 10000 })', () => {
  test('THEN WebSocket gets a reconnect frame then close 3001, SSE an event: reconnect, a waiting poll reconnectWithinMs', async () => {
    server = await startHubServer();
    const ws = await openWs(server.wsUrl);
    await ws.frames.take((f) => f.type === 'hello');
    const sse = await openSse(`${server.base}/sse?topic=a`);
    await sse.events.take((e) => e.event === 'subscribed');
    const first = (await (await fetch(`${server.base}/poll?topic=a`)).json()) as PollResponse;
    const waiting = fetch(`${server.base}/poll?topic=a&timeout=10000&cursor=${encodeURIComponent(first.cursor)}`).then((r) => r.json() as Promise<PollResponse>);
    await expect.poll(() => server.hub.stats().connections.poll).toBe(1);
    await server.hub.close({ drainMs: 10_000 });
    expect(await ws.frames.take((f) => f.type === 'reconnect')).toEqual({ type: 'reconnect', reconnectWithinMs: 10_000 });
    expect((await ws.closed).code).toBe(CLOSE_CODES.server_shutdown);
    expect((await sse.events.take((e) => e.event === 'reconnect')).json).toEqual({ reconnectWithinMs: 10_000 });
    expect((await sse.events.take((e) => e.event === 'error')).json.code).toBe('server_shutdown');
    await sse.ended;
    expect((await waiting).reconnectWithinMs).toBe(10_000);
  });

  test('WITHOUT drainMs THEN no reconnect frame is sent (clients use their own window)', async () => {
    server = await startHubServer();
    const ws = await openWs(server.wsUrl);
    await ws.frames.take((f) => f.type === 'hello');
    await server.hub.close();
    expect((await ws.closed).code).toBe(CLOSE_CODES.server_shutdown);
    expect(ws.frames.items.some((f) => f.type === 'reconnect')).toBe(false);
  });
});

describe('GIVEN maxConcurrentHandshakes 1 and one handshake stalled in authenticate', () => {
  async function stalled() {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered = 0;
    server = await startHubServer({
      maxConcurrentHandshakes: 1,
      handshakeRetryAfterMs: 1000,
      authenticate: async ({ request }) => {
        if (request.header('x-stall')) {
          entered++;
          await gate;
        }
        return {};
      },
    });
    const held = fetch(`${server.base}/poll?topic=a&timeout=0`, { headers: { 'x-stall': '1' } });
    for (let i = 0; i < 500 && entered === 0; i++) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(entered).toBe(1);
    return { release, held };
  }

  test.each([
    ['sse', 'GET /realtime/sse?topic=a HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['poll', 'GET /realtime/poll?topic=a HTTP/1.1\r\nHost: x\r\n\r\n'],
  ])('WHEN a %s handshake arrives THEN it is answered 503 try_again_later with retryAfterMs and Retry-After; after the release it succeeds', async (_name, request) => {
    const { release, held } = await stalled();
    const refused = await rawRequest(server.port, request, completeBody);
    expect(refused.status).toBe(503);
    const body = JSON.parse(refused.body);
    expect(body.code).toBe('try_again_later');
    expect(body.retryAfterMs).toBeGreaterThanOrEqual(500);
    expect(body.retryAfterMs).toBeLessThanOrEqual(1500);
    expect(refused.head).toMatch(/retry-after: [12]\r?$/im);
    release();
    expect((await held).status).toBe(200);
    const admitted = await rawRequest(server.port, request, (text) => text.includes('\r\n\r\n'));
    expect([101, 200]).toContain(admitted.status);
  });

  test('WHEN a WebSocket upgrade arrives THEN it is accepted, told try_again_later with retryAfterMs in an error frame and closed 3204 (a browser cannot read a refused upgrade); after the release it opens', async () => {
    const { release, held } = await stalled();
    const refused = await openWs(server.wsUrl);
    const error = await refused.frames.take((f) => f.type === 'error');
    expect(error.code).toBe('try_again_later');
    expect(error.retryAfterMs).toBeGreaterThanOrEqual(500);
    expect(error.retryAfterMs).toBeLessThanOrEqual(1500);
    expect((await refused.closed).code).toBe(CLOSE_CODES.try_again_later);
    release();
    expect((await held).status).toBe(200);
    const admitted = await rawRequest(server.port, upgradeRequest(), (text) => text.includes('\r\n\r\n'));
    expect(admitted.status).toBe(101);
  });

  test('WHEN a connected WebSocket subscribes meanwhile THEN it gets a try_again_later topic error and stays open; a later subscribe succeeds', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    server = await startHubServer({ maxConcurrentHandshakes: 1, authorize: async (_p, _action, topic) => (topic === 'slow' ? gate.then(() => true) : true) });
    const holder = await openWs(server.wsUrl);
    const other = await openWs(server.wsUrl);
    await other.frames.take((f) => f.type === 'hello');
    holder.send({ type: 'subscribe', topic: 'slow' });
    await expect.poll(async () => {
      other.send({ type: 'subscribe', topic: 'x', ref: 'probe' });
      return (await other.frames.take((f) => f.ref === 'probe')).type;
    }).toBe('error');
    const error = other.frames.items.find((f) => f.type === 'error')!;
    expect(error).toMatchObject({ code: 'try_again_later', topic: 'x', ref: 'probe' });
    expect(error.retryAfterMs).toBeGreaterThan(0);
    release();
    await holder.frames.take((f) => f.type === 'subscribed');
    other.send({ type: 'subscribe', topic: 'x', ref: 'again' });
    expect(await other.frames.take((f) => f.ref === 'again')).toMatchObject({ type: 'subscribed', topic: 'x' });
    holder.close();
    other.close();
  });
});
