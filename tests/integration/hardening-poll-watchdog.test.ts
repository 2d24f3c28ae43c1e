import { createBaseClient, longPollTransport } from '@qwik-realtime/core';
import type { ConnectionState, RealtimeClient } from '@qwik-realtime/core';
import { afterEach, expect, test } from 'vitest';
import { nodePlatform, startClientHub, until } from './client-fixtures.js';
import type { ClientTestHub } from './client-fixtures.js';

let hub: ClientTestHub | undefined;
let client: RealtimeClient | undefined;
afterEach(async () => {
  client?.close();
  await hub?.close();
});

test('GIVEN heartbeatMs 200 and pollTimeoutMs 1500 WHEN the core client long-polls an idle topic for 3 s THEN its watchdog never fires (no heartbeat_timeout reconnect loop)', async () => {
  hub = await startClientHub({ heartbeatMs: 200, pollTimeoutMs: 1500 });
  const states: ConnectionState[] = [];
  client = createBaseClient({ url: hub.url, transports: [longPollTransport()], platform: nodePlatform, heartbeatGraceMs: 200 });
  client.onState((state) => states.push(state));
  let subscribed = 0;
  client.subscribe('idle', { onSubscribed: () => subscribed++ });
  await until(() => subscribed === 1, 'subscribed');
  const opened = states.length;
  // Two full poll waits and more. Without the fix the watchdog (200 + 200 ms) fires during each 1.5 s wait.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  expect(states.slice(opened).filter((s) => s.status !== 'open')).toEqual([]);
  expect(client.getState()).toMatchObject({ status: 'open', attempt: 0, error: null });
});
