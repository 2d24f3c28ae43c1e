/**
 * Lifecycle races on every transport, against a real hub: `client.close()` while `getToken` is pending (the
 * late token opens nothing, not even a socket) and `hub.close()` while a replay's history read is in flight
 * (no session outlives the close). Both were sound when written; these rows keep them so. And a WebSocket
 * topic toggled 100,000 times in one tick reaches the hub as one frame (it was 200,000 and a rate_limited close).
 */
import { afterEach, describe, expect, test } from 'vitest';
import { createBaseClient } from '@qwik-realtime/core';
import type { RealtimeClient } from '@qwik-realtime/core';
import { createMemoryBroker } from '@qwik-realtime/server';
import type { Broker } from '@qwik-realtime/server';
import { nodePlatform, startClientHub, transportNames, transportsByName, until } from './client-fixtures.js';
import type { ClientTestHub } from './client-fixtures.js';

let hub: ClientTestHub | undefined;
let client: RealtimeClient | undefined;
afterEach(async () => {
  client?.close();
  client = undefined;
  await hub?.close();
  hub = undefined;
});

const openConnections = () => Object.values(hub!.hub.stats().connections).reduce((sum, n) => sum + n, 0);

/** A memory broker whose history reads wait until `release()`; `reads` counts the reads begun. */
function slowHistoryBroker(): Broker & { reads: number; release(): void } {
  const inner = createMemoryBroker();
  let release = () => undefined as void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  return {
    kind: inner.kind,
    reads: 0,
    release: () => release(),
    publish: (topic, message) => inner.publish(topic, message),
    subscribe: (topic, listener) => inner.subscribe(topic, listener),
    async history(topic, query) {
      this.reads++;
      await gate;
      return inner.history(topic, query);
    },
    close: () => inner.close(),
  };
}

describe.each(transportNames)('GIVEN a client over %s', (name) => {
  test('WHEN it is closed while getToken is pending THEN the late token opens nothing', async () => {
    // Every request or upgrade that reaches the hub is authenticated: count them.
    let reached = 0;
    hub = await startClientHub({ allowQueryToken: true, authenticate: () => ((reached += 1), {}) });
    let give: (token: string) => void = () => undefined;
    let asked = false;
    const getToken = () => new Promise<string>((resolve) => ((asked = true), (give = resolve)));
    client = createBaseClient({ url: hub.url, transports: [transportsByName[name]()], platform: nodePlatform, getToken });
    client.subscribe('t', {});
    await until(() => asked, 'getToken to be called');
    client.close();
    give('late');
    // A publish through the hub goes through its event loop: any late attempt would have arrived by then.
    await hub.hub.publish('t', 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(reached).toBe(0);
    // Not even a socket was opened (a fetch keeps its socket alive after an answer).
    expect(hub.cut()).toBe(0);
    expect(openConnections()).toBe(0);
    expect(client.getState().status).toBe('closed');
  });

  test('WHEN hub.close() runs during a replay history read THEN no session outlives the close', async () => {
    const broker = slowHistoryBroker();
    hub = await startClientHub({ broker });
    await hub.hub.publish('t', 'before');
    const received: unknown[] = [];
    client = createBaseClient({ url: hub.url, transports: [transportsByName[name]()], platform: nodePlatform, backoff: { baseMs: 60_000 } });
    client.subscribe('t', { history: 5, onMessage: (message) => received.push(message.data) });
    await until(() => broker.reads > 0, 'the history read to begin');
    const closed = hub.hub.close();
    broker.release();
    await closed;
    await until(() => client!.getState().status === 'reconnecting', 'the client to see the close');
    expect(openConnections()).toBe(0);
    expect(hub.hub.stats().topics).toEqual({});
  });
});

describe('GIVEN a WebSocket client with teardownDelayMs 0', () => {
  test('WHEN a topic is subscribed and unsubscribed 100,000 times in one tick THEN the hub gets one frame for it, not 200,000', async () => {
    hub = await startClientHub();
    client = createBaseClient({ url: hub.url, transports: [transportsByName.websocket()], platform: nodePlatform, teardownDelayMs: 0 });
    const kept: unknown[] = [];
    client.subscribe('keep', { onMessage: (message) => kept.push(message.data) });
    await until(() => client!.getState().status === 'open', 'the connection to open');
    for (let i = 0; i < 100_000; i++) client.subscribe('t', {}).unsubscribe();
    const received: unknown[] = [];
    client.subscribe('t', { onMessage: (message) => received.push(message.data) });
    await until(() => client!.getState().status === 'open' && hub!.hub.stats().topics.t === 1, 'the last subscribe to arrive');
    await hub.hub.publish('t', 'live');
    await hub.hub.publish('keep', 'still');
    await until(() => received.length === 1 && kept.length === 1, 'both topics to deliver');
    // 200,000 frames would have drawn on the inbound frame bucket (burst 400) and closed the connection.
    expect(hub.hub.stats().rateLimited.connection).toBe(0);
    expect(hub.hub.stats().disconnects).toEqual({});
  });
});
