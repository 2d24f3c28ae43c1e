/**
 * A WebSocket subscribe the hub never answers. The hub handles a connection's frames one at a time, so a
 * subscribe stuck in a hook or a broker read holds back everything after it, with the socket still open and
 * pinging: the client used to wait forever with the topic never live. Now the session ends after
 * `connectTimeoutMs` without any answer and the reconnect resubscribes from the cursors.
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { RealtimeClient } from '@qwik-realtime/core';
import { fastClient, startClientHub } from './client-fixtures.js';
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
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const urlTopics = (url: string | undefined) => new URL(url ?? '', 'http://x').searchParams.getAll('topic');

let server: HostileServer | undefined;
let hub: ClientTestHub | undefined;
let client: RealtimeClient | undefined;
afterEach(async () => {
  client?.close();
  await server?.close();
  await hub?.close();
  client = server = hub = undefined;
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
    client = fastClient('websocket', server.url, { connectTimeoutMs: 300, debug: (event, detail) => event === 'closed' && errors.push(String((detail as { message?: string }).message)) });
    let subscribed = 0;
    client.subscribe('t', { onSubscribed: () => subscribed++ });
    await until(() => subscribed === 1, 'subscribed on the second connection');
    expect(subscribes).toEqual([1, 2]);
    expect(server.attempts()).toBe(2);
    expect(errors.join()).toMatch(/no answer to a subscribe within 300 ms/);
  });

  test('answered subscribes keep a quiet session open past the limit', async () => {
    server = await startHostileServer({
      ws(ws, _n, req) {
        ws.send(JSON.stringify(helloFrame(60_000)));
        // One subscribe at a time, 200 ms each, like a hub replaying: all three take 600 ms, twice the limit,
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
    client = fastClient('websocket', server.url, { connectTimeoutMs: 300 });
    const subscribed: string[] = [];
    for (const topic of ['a', 'b', 'c']) client.subscribe(topic, { onSubscribed: () => subscribed.push(topic) });
    await until(() => subscribed.length === 3, 'three subscribed');
    // A later subscribe, answered in time, then a long quiet spell with nothing pending.
    client.subscribe('d', { onSubscribed: () => subscribed.push('d') });
    await until(() => subscribed.length === 4, 'd subscribed');
    await sleep(800);
    expect(server.attempts()).toBe(1);
    expect(client.getState().status).toBe('open');
  });

  test('a real hub whose authorize never settles for the first connection: the client gets live on the next', async () => {
    let asked = 0;
    hub = await startClientHub({
      heartbeatMs: 5000,
      authorize: () => (++asked === 1 ? new Promise<boolean>(() => undefined) : true),
    });
    client = fastClient('websocket', hub.url, { connectTimeoutMs: 300 });
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
