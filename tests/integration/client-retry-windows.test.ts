/**
 * Issue 15, client side, against the real hub on every transport: a drain (`hub.close({ drainMs })`)
 * announces `reconnectWithinMs` and the client spreads its reconnect over that window; a server at its
 * handshake cap answers `try_again_later` with `retryAfterMs` and the client waits at least that long — and, refused
 * again and again, no longer than the hint plus its jitter (the backoff does not grow under it).
 * Randomness is pinned (`random: () => 0.99`) so the chosen delay says which window was used.
 */
import { afterEach, describe, expect, test } from 'vitest';

import type { BaseClientOptions, ConnectionState, RealtimeClient, TopicState, TransportName } from '@qwik-realtime/core';
import { createBaseClient } from '@qwik-realtime/core';
import { nodePlatform, startClientHub, transportNames, transportsByName, until } from './client-fixtures.js';
import type { ClientTestHub } from './client-fixtures.js';

let hub: ClientTestHub | undefined;
let client: RealtimeClient | undefined;
afterEach(async () => {
  client?.close();
  client = undefined;
  await hub?.close().catch(() => undefined);
  hub = undefined;
});

function connect(name: TransportName, url: string, extra: Partial<BaseClientOptions> = {}): RealtimeClient {
  client = createBaseClient({
    url,
    transports: [transportsByName[name]()],
    platform: { ...nodePlatform, random: () => 0.99 },
    backoff: { baseMs: 20, capMs: 100 },
    teardownDelayMs: 0,
    ...extra,
  });
  return client;
}

/** Long-poll: wait until the client's next poll is parked on the hub (not between two polls). */
const parked = (name: TransportName) => name !== 'long-poll' || hub!.hub.stats().connections.poll === 1;

describe.each(transportNames)('retry windows over %s', (name) => {
  test('GIVEN a drain with drainMs THEN the client reconnects within the announced window, not the default one', async () => {
    hub = await startClientHub({ heartbeatMs: 2000 });
    const c = connect(name, hub.url);
    let live = false;
    c.subscribe('t', { onSubscribed: () => (live = true) });
    await until(() => live && parked(name), 'subscribed');
    const states: ConnectionState[] = [];
    c.onState((s) => states.push(s));
    const closing = hub.hub.close({ drainMs: 60_000 });
    await until(() => c.getState().status === 'reconnecting', 'reconnecting');
    const at = Date.now();
    await closing;
    const wait = (c.getState().nextRetryAt ?? 0) - at;
    // 0.99 of the 60 s window (the default window would give 990 ms).
    expect(wait).toBeGreaterThan(55_000);
    expect(wait).toBeLessThanOrEqual(60_000);
    expect(states[0]).toMatchObject({ status: 'reconnecting', error: { code: 'server_shutdown' } });
  });

  test('GIVEN a server restart without announcement THEN the first retry waits within retryNowWindowMs', async () => {
    hub = await startClientHub({ heartbeatMs: 2000 });
    const c = connect(name, hub.url, { retryNowWindowMs: 2000 });
    let live = false;
    c.subscribe('t', { onSubscribed: () => (live = true) });
    await until(() => live && parked(name), 'subscribed');
    const at = Date.now();
    await hub.hub.close();
    await until(() => c.getState().status === 'reconnecting', 'reconnecting');
    const wait = (c.getState().nextRetryAt ?? 0) - at;
    expect(c.getState().error?.code).toBe('server_shutdown');
    // 0.99 of 2000 ms, not immediate. (Long-poll: the next poll meets the closing hub's 503 with
    // `Retry-After: 1`, so at least 1 s plus the jitter.)
    expect(wait).toBeGreaterThanOrEqual(1900);
    expect(wait).toBeLessThan(name === 'long-poll' ? 4000 : 3000);
  });

  test('GIVEN the hub stays at its handshake cap WHEN it refuses the client again and again THEN each retry waits the hint plus its jitter, not a growing backoff', async () => {
    let holding = false;
    hub = await startClientHub({
      heartbeatMs: 2000,
      maxConcurrentHandshakes: 1,
      handshakeRetryAfterMs: 200,
      authenticate({ token }) {
        if (token !== 'hang') return {};
        holding = true;
        return new Promise<never>(() => undefined);
      },
    });
    const holder = new AbortController();
    void fetch(`${hub.url}/sse?topic=x`, { headers: { authorization: 'Bearer hang' }, signal: holder.signal }).catch(() => undefined);
    try {
      await until(() => holding, 'the slot is taken');
      // The full default backoff: stacked under the hint, the second refusal alone would wait 0.99 * 2 s.
      const c = connect(name, hub.url, { backoff: { baseMs: 1000, capMs: 30_000 }, retryNowWindowMs: 100 });
      const waits: number[] = [];
      c.onState((state) => {
        if (state.status === 'reconnecting' && state.error?.code === 'try_again_later' && state.nextRetryAt !== null) waits.push(state.nextRetryAt - Date.now());
      });
      c.subscribe('t', {});
      await until(() => waits.length >= 4, 'refused four times');
      // The hub's hint is within [100, 300] ms; plus 0.99 of the hint's width.
      for (const wait of waits.slice(0, 4)) expect(wait).toBeLessThan(600);
      expect(c.getState().attempt).toBeGreaterThanOrEqual(4);
    } finally {
      holder.abort();
    }
  });

  test('GIVEN the hub is at its handshake cap THEN try_again_later makes the client wait at least retryAfterMs', async () => {
    // One slot, held by a request whose authentication never ends.
    let holding = false;
    hub = await startClientHub({
      heartbeatMs: 2000,
      maxConcurrentHandshakes: 1,
      handshakeRetryAfterMs: 4000,
      authenticate({ token }) {
        if (token !== 'hang') return {};
        holding = true;
        return new Promise<never>(() => undefined);
      },
    });
    const holder = new AbortController();
    const hold = async () => {
      void fetch(`${hub!.url}/sse?topic=x`, { headers: { authorization: 'Bearer hang' }, signal: holder.signal }).catch(() => undefined);
      await until(() => holding, 'the slot is taken');
    };
    try {
      // Each state with the time it was reported at.
      const states: { state: ConnectionState | TopicState; at: number }[] = [];
      const c = connect(name, hub.url);
      if (name === 'websocket') {
        // Over WebSocket the capped step is the subscribe (its replay), answered by a topic `error` frame.
        // (An upgrade refused with 503 looks like a network failure to a browser: see the report/docs.)
        let live = false;
        c.subscribe('first', { onSubscribed: () => (live = true) });
        await until(() => live, 'connected');
        await hold();
      } else {
        await hold();
        c.onState((state) => states.push({ state, at: Date.now() }));
      }
      c.subscribe('t', { onTopicState: (state) => states.push({ state, at: Date.now() }) });
      await until(() => states.some((s) => s.state.error !== null), 'refused');
      const refused = states.find((s) => s.state.error !== null)!;
      expect(refused.state.error).toMatchObject({ code: 'try_again_later', retry: 'retry_backoff' });
      // The hub spreads its hint over [2000, 6000] ms; the client waits at least that (not its 20 ms backoff).
      expect((refused.state.nextRetryAt ?? 0) - refused.at).toBeGreaterThanOrEqual(2000);
    } finally {
      holder.abort();
    }
  });
});
