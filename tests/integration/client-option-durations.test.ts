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
import { closeOpened, helloFrame, recordingPlatform, startHostileServer, subscribedFrame, urlTopics } from './hardening-hostile-server.js';
import type { HostileServer } from './hardening-hostile-server.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the running test opened; closed after it. */
const opened: { server?: HostileServer; hub?: ClientTestHub; client?: RealtimeClient } = {};
afterEach(async () => {
  await closeOpened(opened);
  opened.client = opened.server = opened.hub = undefined;
});

test('connectTimeoutMs: Infinity waits for a hello that is slow to come, without a reconnect loop', async () => {
  opened.server = await startHostileServer({ ws: () => undefined });
  opened.client = fastClient('websocket', opened.server.url, { connectTimeoutMs: Infinity });
  opened.client.subscribe('t', {});
  await sleep(400);
  expect(opened.server.attempts()).toBe(1);
  expect(opened.client.getState()).toMatchObject({ status: 'connecting', error: null });
});

test('heartbeatGraceMs: Infinity keeps an open session open, with one watchdog timer (it re-armed every millisecond)', async () => {
  opened.server = await startHostileServer({
    ws(ws, _n, req) {
      ws.send([helloFrame(15_000), ...urlTopics(req.url).map((topic) => subscribedFrame(topic))].map((frame) => JSON.stringify(frame)).join('\n'));
    },
  });
  const { platform, delays } = recordingPlatform();
  opened.client = fastClient('websocket', opened.server.url, { heartbeatGraceMs: Infinity, platform });
  opened.client.subscribe('t', {});
  await until(() => opened.client!.getState().status === 'open', 'open');
  const before = delays.length;
  await sleep(400);
  expect(opened.server.attempts()).toBe(1);
  expect(opened.client.getState().status).toBe('open');
  expect(delays.length - before).toBeLessThan(5);
});

test.each([
  ['Infinity', Infinity, 1],
  ['NaN (the default, 1 s)', Number.NaN, 1],
  ['-1 (the default, 1 s)', -1, 1],
])('teardownDelayMs: %s keeps an unsubscribed topic for a while', async (_name, teardownDelayMs, expected) => {
  opened.hub = await startClientHub({ heartbeatMs: 5000 });
  opened.client = fastClient('websocket', opened.hub.url, { teardownDelayMs });
  let live = 0;
  const subscription = opened.client.subscribe('t', { onSubscribed: () => live++ });
  await until(() => live === 1, 'subscribed');
  subscription.unsubscribe();
  await sleep(300);
  expect(opened.hub.hub.stats().topics.t ?? 0).toBe(expected);
});
