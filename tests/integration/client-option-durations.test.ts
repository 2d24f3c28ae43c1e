/**
 * The core client's own duration options at their extremes. A timer holds at most 2^31 - 1 ms and fires after
 * 1 ms past that, so `Infinity` (a user's "never") used to mean "at once": `connectTimeoutMs: Infinity` timed
 * every attempt out immediately (a reconnect loop), `heartbeatGraceMs: Infinity` dropped every session at once,
 * `teardownDelayMs: Infinity` unsubscribed at once. Now such values are the longest a timer holds, and a
 * negative or NaN value is the default.
 */
import { afterEach, expect, test } from 'vitest';
import type { RealtimeClient } from '@qwik-realtime/core';
import { fastClient, startClientHub, until } from './client-fixtures.js';
import type { ClientTestHub } from './client-fixtures.js';
import { helloFrame, recordingPlatform, startHostileServer, subscribedFrame } from './hardening-hostile-server.js';
import type { HostileServer } from './hardening-hostile-server.js';

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

test('connectTimeoutMs: Infinity waits for a hello that is slow to come, without a reconnect loop', async () => {
  server = await startHostileServer({ ws: () => undefined });
  client = fastClient('websocket', server.url, { connectTimeoutMs: Infinity });
  client.subscribe('t', {});
  await sleep(400);
  expect(server.attempts()).toBe(1);
  expect(client.getState()).toMatchObject({ status: 'connecting', error: null });
});

test('heartbeatGraceMs: Infinity keeps an open session open, with one watchdog timer (it re-armed every millisecond)', async () => {
  server = await startHostileServer({
    ws(ws, _n, req) {
      ws.send([helloFrame(15_000), ...urlTopics(req.url).map((topic) => subscribedFrame(topic))].map((frame) => JSON.stringify(frame)).join('\n'));
    },
  });
  const { platform, delays } = recordingPlatform();
  client = fastClient('websocket', server.url, { heartbeatGraceMs: Infinity, platform });
  client.subscribe('t', {});
  await until(() => client!.getState().status === 'open', 'open');
  const before = delays.length;
  await sleep(400);
  expect(server.attempts()).toBe(1);
  expect(client.getState().status).toBe('open');
  expect(delays.length - before).toBeLessThan(5);
});

test.each([
  ['Infinity', Infinity, 1],
  ['NaN (the default, 1 s)', Number.NaN, 1],
  ['-1 (the default, 1 s)', -1, 1],
])('teardownDelayMs: %s keeps an unsubscribed topic for a while', async (_name, teardownDelayMs, expected) => {
  hub = await startClientHub({ heartbeatMs: 5000 });
  client = fastClient('websocket', hub.url, { teardownDelayMs });
  let live = 0;
  const subscription = client.subscribe('t', { onSubscribed: () => live++ });
  await until(() => live === 1, 'subscribed');
  subscription.unsubscribe();
  await sleep(300);
  expect(hub.hub.stats().topics.t ?? 0).toBe(expected);
});
