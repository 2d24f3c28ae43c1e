/**
 * Edges of the core client's WebSocket transport that nobody named when its topics moved into the upgrade
 * URL and the unanswered-subscribe watchdog landed, each against a real hub:
 * - a URL topic toggled 100,000 times while the socket is still connecting must cost one frame on open,
 *   not one `unsubscribe` per toggle (the hub closes a connection past its inbound frame burst);
 * - an `error` answering a publish (it has a `ref`) may name the very topic whose subscribe waits: it says
 *   nothing about that subscribe, so the watchdog must keep waiting for it;
 * - a URL the WebSocket cannot be built from fails the attempt (`connect` must not throw);
 * - more URL topics than the hub's `maxTopicsPerConnection`: the extra one fails, the session stays.
 */
import { afterEach, expect, test } from 'vitest';
import { createBaseClient, resolvePlatform, webSocketTransport } from '@qwik-realtime/core';
import type { CloseReason, RealtimeClient, TransportSession } from '@qwik-realtime/core';
import { fastClientOptions, nodePlatform, startClientHub, until } from './client-fixtures.js';
import type { ClientTestHub } from './client-fixtures.js';
import { startPausableProxy } from './helpers/pausable-proxy.js';
import type { PausableProxy } from './helpers/pausable-proxy.js';

let client: RealtimeClient | undefined;
let session: TransportSession | undefined;
let hub: ClientTestHub | undefined;
let proxy: PausableProxy | undefined;
const hung: ((allowed: boolean) => void)[] = [];
afterEach(async () => {
  client?.close();
  session?.close();
  for (const release of hung.splice(0)) release(false);
  await hub?.close();
  await proxy?.close();
  client = session = hub = proxy = undefined;
});

test('GIVEN a URL topic WHEN it is unsubscribed and resubscribed 100,000 times while the socket connects THEN the hub gets one frame for it, not 100,000', async () => {
  hub = await startClientHub();
  // The hub accepts the upgrade, but its 101 waits in the proxy: the client's socket stays connecting.
  proxy = await startPausableProxy(hub.port);
  proxy.pause();
  client = createBaseClient({ url: `http://127.0.0.1:${proxy.port}${hub.hub.options.path}`, transports: [webSocketTransport()], platform: nodePlatform, teardownDelayMs: 0 });
  // A second topic keeps the connection wanted while "t" has no listener.
  client.subscribe('keep', {});
  const first = client.subscribe('t', {});
  await until(() => hub!.hub.stats().topics.t === 1, 'the URL topic to be subscribed by the hub');
  first.unsubscribe();
  for (let i = 0; i < 100_000; i++) client.subscribe('t', {}).unsubscribe();
  const received: unknown[] = [];
  client.subscribe('t', { onMessage: (message) => received.push(message.data) });
  expect(client.getState().status).toBe('connecting');
  proxy.resume();
  await until(() => client!.getState().status === 'open', 'open');
  await hub.hub.publish('t', 'live');
  await until(() => received.length === 1, 'the message');
  // 100,000 unsubscribe frames would have drawn on the inbound frame bucket and closed the connection.
  expect(hub.hub.stats().rateLimited.connection).toBe(0);
  expect(hub.hub.stats().disconnects).toEqual({});
});

test('GIVEN a subscribe stuck in authorize WHEN a refused publish on the same topic is answered first THEN the watchdog still ends the session', async () => {
  hub = await startClientHub({
    hookTimeoutMs: 60_000,
    authorize: (_principal, action, topic) => {
      if (action === 'publish') return false;
      if (topic !== 'stuck') return true;
      return new Promise<boolean>((resolve) => hung.push(resolve));
    },
  });
  let opened = false;
  let closed: CloseReason | undefined;
  const errors: unknown[] = [];
  session = webSocketTransport().connect(
    { url: hub.url, topics: [], platform: resolvePlatform(nodePlatform), answerTimeoutMs: 300 },
    {
      open: () => (opened = true),
      subscribed: () => undefined,
      messages: () => undefined,
      error: () => undefined,
      alive: () => undefined,
      closed: (reason) => (closed = reason),
    },
  );
  await until(() => opened, 'hello');
  // Both frames leave before any answer: the hub answers the publish (forbidden, topic "stuck"), then hangs.
  session.publish!({ topic: 'stuck', data: 1 }, 'r1').catch((error: unknown) => errors.push(error));
  session.subscribe({ topic: 'stuck' });
  await until(() => errors.length === 1 && hung.length === 1, 'the refused publish and the stuck subscribe');
  await until(() => closed !== undefined, 'the watchdog to end the session', 5000);
  expect(closed!.message).toContain('no answer to a subscribe');
});

test('GIVEN a URL the WebSocket cannot be built from (relative, no page) WHEN the client connects THEN the attempt fails as bad_request, nothing is thrown', async () => {
  client = createBaseClient({ url: '/realtime', transports: [webSocketTransport()], platform: nodePlatform, ...fastClientOptions });
  client.subscribe('t', {});
  await until(() => client!.getState().error?.code === 'bad_request', 'the attempt to fail');
  expect(client.getState().error?.message).toMatch(/Invalid URL/);
});

test('GIVEN more URL topics than maxTopicsPerConnection WHEN the client connects THEN the extra topic fails with too_many_topics and the session stays (no reconnect loop)', async () => {
  hub = await startClientHub({ maxTopicsPerConnection: 2 });
  let connections = 0;
  hub.hub.onConnection(() => connections++);
  client = createBaseClient({ url: hub.url, transports: [webSocketTransport()], platform: nodePlatform, ...fastClientOptions, connectTimeoutMs: 300 });
  const errors: string[] = [];
  for (const topic of ['a', 'b', 'c']) client.subscribe(topic, { onError: (error) => errors.push(`${topic}:${error.code}`) });
  await until(() => errors.length === 1, 'the refusal of c');
  expect(errors).toEqual(['c:too_many_topics']);
  // An unanswered URL topic ended the session every connectTimeoutMs: three of them pass here.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  expect(connections).toBe(1);
  expect(client.getState().status).toBe('open');
});

test('GIVEN a presence join slow in authorize ahead of a subscribe WHEN the join is answered, then the subscribe, each within the limit THEN the watchdog keeps the session', async () => {
  const delays: Record<string, number> = { presence: 800, subscribe: 500 };
  hub = await startClientHub({ authorize: (_principal, action) => new Promise<boolean>((resolve) => setTimeout(() => resolve(true), delays[action] ?? 0)) });
  let opened = false;
  let closed: CloseReason | undefined;
  const subscribed: string[] = [];
  session = webSocketTransport().connect(
    { url: hub.url, topics: [], platform: resolvePlatform(nodePlatform), answerTimeoutMs: 1000 },
    {
      open: () => (opened = true),
      subscribed: (frame) => void subscribed.push(frame.topic),
      messages: () => undefined,
      error: () => undefined,
      alive: () => undefined,
      closed: (reason) => (closed = reason),
    },
  );
  await until(() => opened, 'hello');
  // The hub answers the join (a sync frame with its ref) after 800 ms, the subscribe 500 ms later: 1.3 s after
  // the subscribe left, though the queue never stood still for the limit.
  session.presence!({ type: 'presence_join', topic: 'room', data: {}, ref: 'presence:1' });
  session.subscribe({ topic: 'x' });
  await until(() => subscribed.length === 1 || closed !== undefined, 'the subscribe to be answered or the session to end');
  expect(closed).toBeUndefined();
});
