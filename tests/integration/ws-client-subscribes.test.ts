/**
 * How the core client's WebSocket transport asks for its topics, and what it does when the hub never answers.
 * - The topics it knows when it connects ride in the upgrade URL (`topic=…&since=CURSOR`, as SSE's), so the
 *   hub subscribes them as the session starts and a (re)connect is live one round trip sooner; topics added
 *   while the socket opens are sent as frames right away (behind the auth frame), not after `hello`.
 * - A subscribe the hub never answers (its frames are handled one at a time, so one stuck in a hook or a read
 *   holds back everything after it, on an open, pinged socket) used to leave the topic never live: now the
 *   session ends after `connectTimeoutMs` without any answer and the reconnect resubscribes from the cursors.
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { WebSocket } from 'ws';
import { createBaseClient, webSocketTransport } from '@qwik-realtime/core';
import type { RealtimeClient } from '@qwik-realtime/core';
import { fastClient, fastClientOptions, nodePlatform, startClientHub, until } from './client-fixtures.js';
import type { ClientTestHub } from './client-fixtures.js';
import { closeOpened, helloFrame, startHostileServer, subscribedFrame, urlTopics } from './hardening-hostile-server.js';
import type { HostileServer } from './hardening-hostile-server.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let server: HostileServer | undefined;
let hub: ClientTestHub | undefined;
let client: RealtimeClient | undefined;
afterEach(async () => {
  await closeOpened({ client, server, hub });
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

describe('a subscribe the hub never answers', () => {
  test('the session ends after connectTimeoutMs without an answer, and the next one subscribes', async () => {
    const subscribes: number[] = [];
    server = await startHostileServer({
      ws(ws, n, req) {
        ws.send(JSON.stringify(helloFrame(60_000)));
        // The client's topics ride in the upgrade URL (they are subscribes like frames).
        for (const topic of urlTopics(req.url)) {
          subscribes.push(n);
          // Only the second connection answers; the first keeps the socket open and silent.
          if (n >= 2) ws.send(JSON.stringify(subscribedFrame(topic)));
        }
      },
    });
    const errors: string[] = [];
    client = fastClient('websocket', server.url, { connectTimeoutMs: 1000, debug: (event, detail) => event === 'closed' && errors.push(String((detail as { message?: string }).message)) });
    let subscribed = 0;
    client.subscribe('t', { onSubscribed: () => subscribed++ });
    await until(() => subscribed === 1, 'subscribed on the second connection');
    expect(subscribes).toEqual([1, 2]);
    expect(server.attempts()).toBe(2);
    expect(errors.join()).toMatch(/no answer to a subscribe within 1000 ms/);
  });

  test('answered subscribes keep a quiet session open past the limit', async () => {
    server = await startHostileServer({
      ws(ws, _n, req) {
        ws.send(JSON.stringify(helloFrame(60_000)));
        // One subscribe at a time, 200 ms each, like a hub replaying: all five take 1 s, past the 600 ms limit,
        // but the queue moves well within it.
        let busyUntil = Date.now();
        const answer = (topic: string) => {
          busyUntil = Math.max(busyUntil, Date.now()) + 200;
          setTimeout(() => ws.send(JSON.stringify(subscribedFrame(topic))), busyUntil - Date.now());
        };
        for (const topic of urlTopics(req.url)) answer(topic);
        ws.on('message', (raw) => {
          const frame = JSON.parse(String(raw)) as { type: string; topic: string };
          if (frame.type === 'subscribe') answer(frame.topic);
        });
      },
    });
    client = fastClient('websocket', server.url, { connectTimeoutMs: 600 });
    const subscribed: string[] = [];
    for (const topic of ['a', 'b', 'c', 'e', 'f']) client.subscribe(topic, { onSubscribed: () => subscribed.push(topic) });
    await until(() => subscribed.length === 5, 'five subscribed');
    // A later subscribe, answered in time, then a long quiet spell with nothing pending.
    client.subscribe('d', { onSubscribed: () => subscribed.push('d') });
    await until(() => subscribed.length === 6, 'd subscribed');
    await sleep(1500);
    expect(server.attempts()).toBe(1);
    expect(client.getState().status).toBe('open');
  });

  test('a real hub whose authorize never settles for the first connection: the client gets live on the next', async () => {
    let asked = 0;
    hub = await startClientHub({
      heartbeatMs: 5000,
      authorize: () => (++asked === 1 ? new Promise<boolean>(() => undefined) : true),
    });
    client = fastClient('websocket', hub.url, { connectTimeoutMs: 1000 });
    const got: number[] = [];
    client.subscribe<number>('t', { onMessage: (m) => got.push(m.data) });
    await until(() => asked >= 2, 'a second authorize');
    await until(() => hub!.hub.stats().topics.t === 1, 'the topic subscribed on the hub');
    await hub.hub.publish('t', 1);
    await until(() => got.length === 1, 'the message');
    expect(got).toEqual([1]);
    expect(asked).toBe(2);
  });
});
