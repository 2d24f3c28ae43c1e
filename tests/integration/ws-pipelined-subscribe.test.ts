/**
 * How the WebSocket client asks for its topics without waiting for the hub: the topics it knows when it
 * connects ride in the upgrade URL (`topic=…&since=CURSOR`, as SSE's), so the hub subscribes them as the
 * session starts and a (re)connect is live one round trip sooner; topics added while the socket opens are
 * sent as frames right away (behind the auth frame), not after `hello`. The hub handles them in order.
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { WebSocket } from 'ws';
import { createBaseClient, webSocketTransport } from '@qwik-realtime/core';
import type { RealtimeClient } from '@qwik-realtime/core';
import { fastClient, fastClientOptions, nodePlatform, startClientHub } from './client-fixtures.js';
import type { ClientTestHub } from './client-fixtures.js';
import { helloFrame, startHostileServer, subscribedFrame } from './hardening-hostile-server.js';
import type { HostileServer } from './hardening-hostile-server.js';

const until = async (ok: () => boolean, what: string, ms = 5000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

let server: HostileServer | undefined;
let hub: ClientTestHub | undefined;
let client: RealtimeClient | undefined;
afterEach(async () => {
  client?.close();
  await server?.close();
  await hub?.close();
  client = server = hub = undefined;
});

/** A stand-in that records the upgrade URL's topics and every frame, and says hello only when told. */
async function recordingServer() {
  const seen = { urls: [] as URLSearchParams[], frames: [] as string[], socket: undefined as WebSocket | undefined };
  server = await startHostileServer({
    ws(ws, _n, req) {
      seen.socket = ws;
      seen.urls.push(new URL(req.url ?? '', 'http://x').searchParams);
      ws.on('message', (raw) => {
        const frame = JSON.parse(String(raw)) as { type: string; topic?: string; history?: number };
        frames(frame);
      });
    },
  });
  const frames = (frame: { type: string; topic?: string; history?: number }) =>
    seen.frames.push([frame.type, frame.topic, frame.history].filter((part) => part !== undefined).join(':'));
  return seen;
}

describe('WebSocket topics reach the hub without waiting for hello', () => {
  test.each([
    ['without a token', undefined, []],
    ['with a token (auth frame first)', 'tok', ['auth']],
  ])('%s: the topics known at connect ride in the upgrade URL, none as frames', async (_name, token, expected) => {
    const seen = await recordingServer();
    client = fastClient('websocket', server!.url, token ? { getToken: () => token } : {});
    client.subscribe('a', {});
    client.subscribe('b', {});
    await until(() => seen.urls.length === 1 && seen.frames.length === expected.length, 'the upgrade');
    expect(seen.urls[0]!.getAll('topic')).toEqual(['a', 'b']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen.frames).toEqual(expected);
    // The session opens on hello as before; the hub's answers end the wait.
    seen.socket!.send([helloFrame(), subscribedFrame('a'), subscribedFrame('b')].map((frame) => JSON.stringify(frame)).join('\n'));
    await until(() => client!.getState().status === 'open', 'open');
    expect(seen.frames).toEqual(expected);
  });

  test('a topic added while the socket opens is sent at once, before any hello', async () => {
    const seen = await recordingServer();
    client = fastClient('websocket', server!.url, { getToken: () => 'tok' });
    client.subscribe('a', {});
    await until(() => seen.frames.length === 1, 'the auth frame');
    client.subscribe('c', {});
    await until(() => seen.frames.length === 2, 'the subscribe of c');
    expect(seen.frames).toEqual(['auth', 'subscribe:c']);
    expect(client.getState().status).toBe('connecting');
  });

  test('topicsInUrl: false keeps the topics out of the URL: they go as frames on open', async () => {
    const seen = await recordingServer();
    client = createBaseClient({ url: server!.url, transports: [webSocketTransport({ topicsInUrl: false })], platform: nodePlatform, ...fastClientOptions });
    client.subscribe('a', {});
    await until(() => seen.frames.length === 1, 'the subscribe frame');
    expect(seen.urls[0]!.getAll('topic')).toEqual([]);
    expect(seen.frames).toEqual(['subscribe:a']);
  });

  test('topics asking for different history go as frames (the URL has one history for all)', async () => {
    const seen = await recordingServer();
    client = fastClient('websocket', server!.url);
    client.subscribe('a', { history: 5 });
    client.subscribe('b', {});
    await until(() => seen.frames.length === 2, 'two subscribe frames');
    expect(seen.urls[0]!.getAll('topic')).toEqual([]);
    expect(seen.frames).toEqual(['subscribe:a:5', 'subscribe:b']);
  });
});

describe('against a real hub', () => {
  test('URL topics behind a slow auth frame are subscribed once the session exists, and resume after a drop', async () => {
    hub = await startClientHub({
      heartbeatMs: 2000,
      authenticate: async ({ token }) => {
        if (!token) return null;
        await new Promise((resolve) => setTimeout(resolve, 100));
        return token === 'good' ? { id: 'u' } : null;
      },
    });
    const got: number[] = [];
    const events: boolean[] = [];
    const errors: string[] = [];
    client = fastClient('websocket', hub.url, { getToken: () => 'good' });
    client.subscribe<number>('t', { onSubscribed: (e) => events.push(e.resumed), onMessage: (m) => got.push(m.data), onError: (e) => errors.push(e.code) });
    await until(() => events.length === 1, 'subscribed');
    await hub.hub.publish('t', 1);
    await until(() => got.length === 1, 'the first message');
    hub.cut();
    await hub.hub.publish('t', 2);
    await until(() => got.length === 2 && events.length === 2, 'the resume');
    expect(got).toEqual([1, 2]);
    expect(events).toEqual([false, true]);
    expect(errors).toEqual([]);
  });

  test('a URL topic unsubscribed before the socket opens ends unsubscribed on the hub', async () => {
    hub = await startClientHub({ heartbeatMs: 2000, authenticate: async () => (await new Promise((resolve) => setTimeout(resolve, 50)), { id: 'u' }) });
    client = fastClient('websocket', hub.url, { teardownDelayMs: 0 });
    const gone = client.subscribe('gone', {});
    let kept = 0;
    client.subscribe('kept', { onSubscribed: () => kept++ });
    await until(() => client!.getState().status === 'connecting', 'connecting');
    gone.unsubscribe();
    await until(() => kept === 1, 'kept subscribed');
    await until(() => !('gone' in hub!.hub.stats().topics), 'gone unsubscribed on the hub');
    expect(hub.hub.stats().topics).toEqual({ kept: 1 });
  });

  test('a refused token closes once with unauthorized; the URL topics are never subscribed', async () => {
    hub = await startClientHub({ heartbeatMs: 2000, authenticate: ({ token }) => (token === 'good' ? { id: 'u' } : null) });
    client = fastClient('websocket', hub.url, { getToken: () => 'bad' });
    client.subscribe('t', {});
    await until(() => client!.getState().status === 'closed', 'closed');
    expect(client.getState().error).toMatchObject({ code: 'unauthorized', retry: 'no_retry' });
    expect(hub.hub.stats().topics).toEqual({});
  });
});
