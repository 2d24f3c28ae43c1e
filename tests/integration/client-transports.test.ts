import { afterEach, describe, expect, test } from 'vitest';

import type { BaseClientOptions, ConnectionState, RealtimeClient, SubscriptionEvent, TransportName } from '@qwik-realtime/core';
import type { Envelope } from '@qwik-realtime/core/protocol';
import { createBaseClient, webSocketTransport } from '@qwik-realtime/core';
import { fastClient, fastClientOptions, nodePlatform, startClientHub, transportNames, transportsByName, until } from './client-fixtures.js';
import type { ClientTestHub } from './client-fixtures.js';

let hub: ClientTestHub | undefined;
let client: RealtimeClient | undefined;
afterEach(async () => {
  client?.close();
  client = undefined;
  await hub?.close();
  hub = undefined;
});

function connect(name: TransportName, url: string, extra: Partial<BaseClientOptions> = {}): RealtimeClient {
  client = fastClient(name, url, extra);
  return client;
}

function track<T = unknown>(c: RealtimeClient, topic: string) {
  const messages: Envelope<T>[] = [];
  const events: SubscriptionEvent[] = [];
  const sub = c.subscribe<T>(topic, { onMessage: (m) => messages.push(m), onSubscribed: (e) => events.push(e) });
  return { messages, events, sub, data: () => messages.map((m) => m.data) };
}

describe.each(transportNames)('core client over %s against the real hub', (name) => {
  test('subscribe, publish with ack, receive', async () => {
    hub = await startClientHub({ heartbeatMs: 2000 });
    const c = connect(name, hub.url);
    const a = track(c, 'chat/room-1');
    await until(() => a.events.length === 1, 'subscribed');
    expect(c.getState()).toMatchObject({ status: 'open', transport: name, error: null });
    const ack = await c.publish('chat/room-1', { text: 'hi' });
    expect(ack).toMatchObject({ topic: 'chat/room-1', offset: 1, duplicate: false });
    await until(() => a.messages.length === 1, 'message');
    expect(a.messages[0]).toMatchObject({ id: ack.id, data: { text: 'hi' }, offset: 1, epoch: ack.epoch });
    // A retried publish with the same idempotency id is acknowledged as a duplicate and not delivered twice.
    const again = await c.publish('chat/room-1', { text: 'hi' }, { id: ack.id });
    expect(again).toMatchObject({ id: ack.id, offset: 1, duplicate: true });
    await hub.hub.publish('chat/room-1', 'after');
    await until(() => a.messages.length === 2, 'second message');
    expect(a.data()).toEqual([{ text: 'hi' }, 'after']);
  });

  test('several topics share one connection; history: N replays the last N', async () => {
    hub = await startClientHub({ heartbeatMs: 2000 });
    for (let i = 1; i <= 5; i++) await hub.hub.publish('c', i);
    const opens: unknown[] = [];
    const c = connect(name, hub.url, { debug: (event) => event === 'open' && opens.push(event) });
    const a = track(c, 'a');
    const b = track(c, 'b');
    const seen: number[] = [];
    c.subscribe<number>('c', { history: 2, onMessage: (m) => seen.push(m.data) });
    await until(() => a.events.length === 1 && b.events.length === 1 && seen.length === 2, 'three subscriptions');
    await hub.hub.publish('a', 'A');
    await hub.hub.publish('b', 'B');
    await hub.hub.publish('c', 6);
    await until(() => a.messages.length === 1 && b.messages.length === 1 && seen.length === 3, 'messages');
    expect(a.data()).toEqual(['A']);
    expect(b.data()).toEqual(['B']);
    expect(seen).toEqual([4, 5, 6]);
    expect(opens).toHaveLength(1);
  });

  test('server drops the connection mid-stream: resumes with no loss and no duplicate', async () => {
    hub = await startClientHub({ heartbeatMs: 2000 });
    const c = connect(name, hub.url);
    const t = track<number>(c, 't');
    await until(() => t.events.length === 1, 'subscribed');
    for (let i = 1; i <= 5; i++) await hub.hub.publish('t', i);
    await until(() => t.messages.length === 5, 'first half');
    expect(hub.cut()).toBeGreaterThan(0);
    for (let i = 6; i <= 10; i++) await hub.hub.publish('t', i);
    await until(() => t.messages.length >= 10, 'second half');
    await hub.hub.publish('t', 11);
    await until(() => t.messages.length >= 11, 'live again');
    expect(t.data()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(t.events.at(-1)).toMatchObject({ recovered: true, resumed: true });
  });

  test('server restarted with a new epoch: recovered:false reaches the subscriber', async () => {
    hub = await startClientHub({ heartbeatMs: 2000 });
    const c = connect(name, hub.url);
    const t = track<number>(c, 't');
    await until(() => t.events.length === 1, 'subscribed');
    await hub.hub.publish('t', 1);
    await until(() => t.messages.length === 1, 'first message');
    const before = t.messages[0]!.epoch;
    await hub.restart();
    await until(() => t.events.length === 2, 'resubscribed');
    expect(t.events[1]).toMatchObject({ recovered: false, resumed: true });
    expect(t.events[1]!.position.epoch).not.toBe(before);
    await hub.hub.publish('t', 2);
    await until(() => t.messages.length === 2, 'message of the new epoch');
    expect(t.messages[1]).toMatchObject({ data: 2, offset: 1 });
  });

  test('auth refused: the client stops with the error, no retry loop', async () => {
    let attempts = 0;
    hub = await startClientHub({
      heartbeatMs: 2000,
      allowQueryToken: true,
      // Count only requests that carry the client's token (a WebSocket upgrade is authenticated once
      // without credentials, then again with the token of the auth frame).
      authenticate: ({ token }) => {
        if (token) attempts++;
        return token === 'good' ? {} : null;
      },
    });
    const states: ConnectionState[] = [];
    const c = connect(name, hub.url, { getToken: () => 'bad' });
    c.onState((s) => states.push(s));
    c.subscribe('t', {});
    await until(() => c.getState().status === 'closed', 'closed');
    expect(c.getState().error).toMatchObject({ code: 'unauthorized', retry: 'no_retry' });
    // Give a loop every chance to show up: the fast backoff would have retried many times by now.
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Native SSE: the EventSource request plus the one fetch that reads the refusal's status and body.
    expect(attempts).toBe(name === 'sse' ? 2 : 1);
    expect(states.map((s) => s.status)).toEqual(['connecting', 'closed']);
  });

  test('a forbidden topic reaches its onError; the other topics keep flowing on the connection', async () => {
    hub = await startClientHub({ heartbeatMs: 2000, authorize: (_principal, _action, topic) => topic !== 'secret' });
    const c = connect(name, hub.url);
    const errors: string[] = [];
    c.subscribe('secret', { onError: (e) => errors.push(`${e.topic}:${e.code}`) });
    const open = track<number>(c, 'open');
    await until(() => errors.length === 1 && open.events.length >= 1, 'error and subscription');
    expect(errors).toEqual(['secret:forbidden']);
    await hub.hub.publish('open', 1);
    await until(() => open.messages.length === 1, 'message');
    expect(c.getState()).toMatchObject({ status: 'open', transport: name });
  });

  test('token refreshed between attempts: getToken is called per attempt', async () => {
    const tokens: string[] = [];
    hub = await startClientHub({
      // Short polls: a long-poll notices an expired token at its next request.
      heartbeatMs: 500,
      allowQueryToken: true,
      // Tokens are `t<n>:<expiresAt>`: the hub closes with token_expired when one runs out.
      authenticate: ({ token }) => {
        if (!token) return null;
        tokens.push(token);
        return { expiresAt: Number(token.split(':')[1]) };
      },
    });
    let n = 0;
    const c = connect(name, hub.url, { getToken: async () => `t${++n}:${Date.now() + 600}` });
    const errors: string[] = [];
    c.onState((s) => s.error && errors.push(s.error.code));
    const t = track<number>(c, 't');
    await until(() => t.events.length === 1, 'subscribed');
    await hub.hub.publish('t', 1);
    await until(() => n >= 3, 'two refreshes');
    await hub.hub.publish('t', 2);
    await until(() => t.messages.length === 2, 'messages across refreshes');
    expect(t.data()).toEqual([1, 2]);
    const distinct = [...new Set(tokens.map((token) => token.split(':')[0]))];
    expect(distinct.slice(0, 3)).toEqual(['t1', 't2', 't3']);
    // Every reconnect was caused by the expired token, nothing else.
    expect(errors.length).toBeGreaterThan(0);
    expect(new Set(errors)).toEqual(new Set(['token_expired']));
  });
});

describe.each(transportNames.filter((name) => name !== 'websocket'))('fallback from a refused WebSocket to %s', (name) => {
  test('the client falls back and keeps WebSocket skipped for the session', async () => {
    hub = await startClientHub({ heartbeatMs: 2000, websocket: false });
    const attempts: string[] = [];
    client = createBaseClient({
      url: hub.url,
      transports: [webSocketTransport(), transportsByName[name]()],
      platform: nodePlatform,
      ...fastClientOptions,
      debug: (event, detail) => event === 'attempt' && attempts.push((detail as { transport: string }).transport),
    });
    const t = track<number>(client, 't');
    await until(() => t.events.length === 1, 'subscribed');
    expect(client.getState()).toMatchObject({ status: 'open', transport: name });
    await hub.hub.publish('t', 1);
    await until(() => t.messages.length === 1, 'message');
    hub.cut();
    await hub.hub.publish('t', 2);
    await until(() => t.messages.length === 2, 'message after the drop');
    expect(t.data()).toEqual([1, 2]);
    expect(attempts[0]).toBe('websocket');
    expect(attempts.slice(1).every((transport) => transport === name)).toBe(true);
  });
});

describe('native EventSource that hides HTTP statuses (as browsers do)', () => {
  test('a refused stream is probed once with fetch: 401 stops instead of looping', async () => {
    let attempts = 0;
    hub = await startClientHub({
      heartbeatMs: 2000,
      authenticate: () => {
        attempts++;
        return null;
      },
    });
    const Native = nodePlatform.EventSource!;
    // Browser-like: the error event carries no status code.
    const Statusless = function (url: string, init?: { withCredentials?: boolean }) {
      const source = new Native(url, init);
      return new Proxy(source, {
        set(target, key, value) {
          if (key === 'onerror') target.onerror = value ? () => value({}) : null;
          else Reflect.set(target, key, value);
          return true;
        },
        get(target, key) {
          const value = Reflect.get(target, key);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    } as unknown as typeof Native;
    client = createBaseClient({ url: hub.url, transports: [transportsByName.sse()], platform: { ...nodePlatform, EventSource: Statusless }, ...fastClientOptions });
    const c = client;
    c.subscribe('t', {});
    await until(() => c.getState().status === 'closed', 'closed');
    expect(c.getState().error).toMatchObject({ code: 'unauthorized', retry: 'no_retry' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The EventSource request and the one probe.
    expect(attempts).toBe(2);
  });
});
