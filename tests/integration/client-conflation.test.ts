import { afterEach, describe, expect, test } from 'vitest';
import type { ConflationEvent, RealtimeClient, TransportName } from '@qwik-realtime/core';
import type { Envelope } from '@qwik-realtime/core/protocol';
import { createMemoryBroker } from '@qwik-realtime/server';
import { fastClient, startClientHub, until } from './client-fixtures.js';
import type { ClientTestHub } from './client-fixtures.js';
import { startPausableProxy } from './helpers/pausable-proxy.js';
import type { PausableProxy } from './helpers/pausable-proxy.js';

let hub: ClientTestHub | undefined;
let proxy: PausableProxy | undefined;
let client: RealtimeClient | undefined;
afterEach(async () => {
  client?.close();
  client = undefined;
  await proxy?.close();
  proxy = undefined;
  await hub?.close();
  hub = undefined;
});

const TOPIC = 'prices:BTC';
const PUBLISHED = 1500;
const payload = 'x'.repeat(32 * 1024);

/** A core client over `name` behind a proxy that stops reading while the hub publishes far more than it buffers. */
async function slowReader(name: TransportName) {
  hub = await startClientHub({
    heartbeatMs: 30_000,
    maxBufferedBytes: 256 * 1024,
    conflate: (topic) => topic.startsWith('prices:'),
    broker: createMemoryBroker({ historyMaxBytes: 64 * 1024 * 1024 }),
  });
  proxy = await startPausableProxy(hub.port);
  client = fastClient(name, `http://127.0.0.1:${proxy.port}/realtime`);
  const messages: Envelope[] = [];
  const events: ConflationEvent[] = [];
  let subscribed = 0;
  client.subscribe(TOPIC, { onMessage: (m) => messages.push(m), onConflated: (e) => events.push(e), onSubscribed: () => subscribed++ });
  await until(() => subscribed === 1, 'subscribed');
  proxy.pause();
  let last = 0;
  for (let i = 0; i < PUBLISHED; i++) last = (await hub.hub.publish(TOPIC, payload)).offset;
  proxy.resume();
  await until(() => messages.at(-1)?.offset === last, `the last message (${last})`, 30_000);
  return { messages, events, subscribed: () => subscribed, disconnects: () => hub!.hub.stats().disconnects };
}

describe.each(['websocket', 'sse', 'fetch-sse'] as const)('a slow reader over %s on a conflated topic', (name) => {
  test('GIVEN the hub conflates for it THEN onConflated tells how many were dropped before each replacing message, and every message is either delivered or counted', async () => {
    const { messages, events, subscribed, disconnects } = await slowReader(name);
    expect(disconnects()).toEqual({});
    expect(subscribed()).toBe(1);
    expect(events.length).toBeGreaterThan(0);
    expect(messages.length + events.reduce((sum, event) => sum + event.dropped, 0)).toBe(PUBLISHED);
    for (const event of events) {
      const index = messages.findIndex((m) => m.offset === event.position.offset);
      expect(messages[index]!.conflated).toBe(event.dropped);
      expect(event.position.offset - (messages[index - 1]?.offset ?? 0)).toBe(event.dropped + 1);
    }
  }, 90_000);
});

test('GIVEN long-poll (a poll reads history, never conflated) WHEN its reader is slow THEN it gets every message and onConflated never fires', async () => {
  const { messages, events } = await slowReader('long-poll');
  expect(events).toEqual([]);
  expect(messages.map((m) => m.offset)).toEqual(Array.from({ length: PUBLISHED }, (_, i) => i + 1));
}, 90_000);
