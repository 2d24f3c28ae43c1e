import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { createBaseClient } from './base-client.js';
import type { BaseClientOptions } from './client.js';
import { seededRandom } from './testing/index.js';
import type { CloseReason, Transport, TransportEvents } from './transport.js';
import type { TransportName } from './types.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A transport whose sessions the test drives by hand; `onConnect` runs a microtask after each connect. */
function scripted(name: TransportName, onConnect?: (events: TransportEvents, n: number) => void) {
  const sessions: { events: TransportEvents; closed: boolean }[] = [];
  const transport: Transport = {
    name,
    connect(_context, events) {
      const session = { events, closed: false };
      sessions.push(session);
      const n = sessions.length;
      if (onConnect) queueMicrotask(() => !session.closed && onConnect(events, n));
      return { subscribe: () => true, unsubscribe: () => undefined, close: () => void (session.closed = true) };
    },
  };
  return { transport, sessions };
}

const lost: CloseReason = { code: 'disconnected', retry: 'retry_backoff', message: 'lost' };
// A day-long heartbeat: the watchdog stays out of these tests unless they ask for it.
const open = (events: TransportEvents) => events.open(86_400_000);

function client(transports: Transport[], extra: Partial<BaseClientOptions> = {}, random: () => number = () => 0.5) {
  const debug: string[] = [];
  const c = createBaseClient({
    url: 'http://x/realtime',
    transports,
    platform: { network: null, visibility: null, random },
    debug: (event, detail) => debug.push(event === 'attempt' ? `attempt:${(detail as { transport: string }).transport}` : event),
    ...extra,
  });
  return { c, debug };
}

describe('transport skips', () => {
  test('GIVEN getToken throws once THEN WebSocket is retried with backoff, never skipped', async () => {
    const ws = scripted('websocket', open);
    const sse = scripted('sse', open);
    let calls = 0;
    const { c } = client([ws.transport, sse.transport], {
      getToken: () => {
        if (++calls === 1) throw new Error('token service down');
        return 'tok';
      },
    });
    c.subscribe('t', {});
    await vi.advanceTimersByTimeAsync(0);
    expect(c.getState()).toMatchObject({ status: 'reconnecting', attempt: 1, error: { code: 'unauthorized', retry: 'retry_backoff' } });
    await vi.advanceTimersByTimeAsync(1000);
    expect(c.getState()).toMatchObject({ status: 'open', transport: 'websocket' });
    expect(sse.sessions).toHaveLength(0);
  });

  test('GIVEN WebSocket failed before opening THEN it is skipped for transportSkipMs only, and connect() forgets the skip', async () => {
    const ws = scripted('websocket', (events, n) => (n === 1 ? events.closed(lost) : events.open(86_400_000)));
    const sse = scripted('sse', open);
    const { c, debug } = client([ws.transport, sse.transport], { transportSkipMs: 60_000 });
    c.subscribe('t', {});
    await vi.advanceTimersByTimeAsync(0);
    expect(c.getState()).toMatchObject({ status: 'open', transport: 'sse' });
    // Within the skip, a drop reconnects over SSE.
    sse.sessions.at(-1)!.events.closed(lost);
    await vi.advanceTimersByTimeAsync(1000);
    expect(c.getState()).toMatchObject({ status: 'open', transport: 'sse' });
    // After it, WebSocket is tried again first.
    await vi.advanceTimersByTimeAsync(60_000);
    sse.sessions.at(-1)!.events.closed(lost);
    await vi.advanceTimersByTimeAsync(1000);
    expect(c.getState()).toMatchObject({ status: 'open', transport: 'websocket' });
    expect(debug.filter((e) => e.startsWith('attempt:'))).toEqual(['attempt:websocket', 'attempt:sse', 'attempt:sse', 'attempt:websocket']);
  });

  test('GIVEN a skipped WebSocket WHEN close() then connect() THEN WebSocket is tried first again', async () => {
    const ws = scripted('websocket', (events, n) => (n === 1 ? events.closed(lost) : events.open(86_400_000)));
    const sse = scripted('sse', open);
    const { c } = client([ws.transport, sse.transport]);
    c.subscribe('t', {});
    await vi.advanceTimersByTimeAsync(0);
    expect(c.getState().transport).toBe('sse');
    c.close();
    c.subscribe('t', {});
    c.connect();
    await vi.advanceTimersByTimeAsync(0);
    expect(c.getState()).toMatchObject({ status: 'open', transport: 'websocket' });
  });

  test('GIVEN the server refuses with an error status before opening THEN the transport is not skipped', async () => {
    const ws = scripted('websocket', (events, n) => (n === 1 ? events.closed({ code: 'broker_unavailable', retry: 'retry_backoff', message: '503' }) : events.open(86_400_000)));
    const sse = scripted('sse', open);
    const { c } = client([ws.transport, sse.transport]);
    c.subscribe('t', {});
    await vi.advanceTimersByTimeAsync(1000);
    expect(c.getState()).toMatchObject({ status: 'open', transport: 'websocket' });
    expect(sse.sessions).toHaveLength(0);
  });
});

describe('connect timeout', () => {
  test('GIVEN no hello WHEN connectTimeoutMs passes THEN the attempt fails, falls back, and backs off once every transport failed', async () => {
    const ws = scripted('websocket');
    const poll = scripted('long-poll');
    const { c, debug } = client([ws.transport, poll.transport], { connectTimeoutMs: 3000 });
    c.subscribe('t', {});
    await vi.advanceTimersByTimeAsync(2999);
    expect(c.getState()).toMatchObject({ status: 'connecting', attempt: 0 });
    // The fallback starts at once (a 0 ms timer, which fake timers run 1 ms later).
    await vi.advanceTimersByTimeAsync(2);
    expect(ws.sessions[0]!.closed).toBe(true);
    expect(poll.sessions).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(3000);
    expect(poll.sessions[0]!.closed).toBe(true);
    // Both failed: back to the first with backoff (random 0.5 of the attempt-0 window).
    expect(c.getState()).toMatchObject({ status: 'reconnecting', attempt: 1, error: { code: 'disconnected', retry: 'retry_backoff' } });
    expect((c.getState().nextRetryAt ?? 0) - Date.now()).toBe(500);
    await vi.advanceTimersByTimeAsync(500);
    expect(ws.sessions).toHaveLength(2);
    expect(debug.filter((e) => e === 'connect_timeout')).toHaveLength(2);
  });

  test('GIVEN getToken never settles THEN the attempt times out too, without skipping the transport', async () => {
    const ws = scripted('websocket', open);
    const sse = scripted('sse', open);
    let calls = 0;
    const { c } = client([ws.transport, sse.transport], {
      connectTimeoutMs: 3000,
      getToken: () => (++calls === 1 ? new Promise<string>(() => undefined) : 'tok'),
    });
    c.subscribe('t', {});
    await vi.advanceTimersByTimeAsync(3000);
    expect(c.getState()).toMatchObject({ status: 'reconnecting', attempt: 1, error: { code: 'unauthorized', retry: 'retry_backoff' } });
    await vi.advanceTimersByTimeAsync(1000);
    expect(c.getState()).toMatchObject({ status: 'open', transport: 'websocket' });
    expect(sse.sessions).toHaveLength(0);
  });

  test('GIVEN the hello arrives in time THEN no timeout fires later', async () => {
    const ws = scripted('websocket', open);
    const { c } = client([ws.transport], { connectTimeoutMs: 3000 });
    c.subscribe('t', {});
    await vi.advanceTimersByTimeAsync(3000 * 3);
    expect(c.getState()).toMatchObject({ status: 'open', attempt: 0 });
    expect(ws.sessions).toHaveLength(1);
  });
});

describe('heartbeat watchdog', () => {
  test('GIVEN a hello without heartbeatMs THEN the watchdog uses the default interval instead of re-arming a ~1 ms timer', async () => {
    let timers = 0;
    const ws = scripted('websocket', (events) => events.open(undefined as unknown as number));
    const { c } = client([ws.transport], {
      heartbeatGraceMs: 5000,
      platform: {
        network: null,
        visibility: null,
        random: () => 0.5,
        setTimeout: (callback, ms) => {
          timers++;
          return setTimeout(callback, ms);
        },
      },
    });
    c.subscribe('t', {});
    await vi.advanceTimersByTimeAsync(0);
    const before = timers;
    await vi.advanceTimersByTimeAsync(1000);
    expect(timers - before).toBeLessThan(3);
    expect(c.getState().status).toBe('open');
    // Default 15 s interval + 5 s grace.
    await vi.advanceTimersByTimeAsync(19_000);
    expect(c.getState()).toMatchObject({ status: 'reconnecting', error: { code: 'heartbeat_timeout' } });
  });
});

describe('retry windows (issue 15)', () => {
  const closeWith = async (reason: CloseReason, options: Partial<BaseClientOptions> = {}, seed = 42, announce?: number) => {
    const ws = scripted('websocket', open);
    const { c } = client([ws.transport], options, seededRandom(seed));
    c.subscribe('t', {});
    await vi.advanceTimersByTimeAsync(0);
    if (announce !== undefined) ws.sessions[0]!.events.reconnectWithin?.(announce);
    ws.sessions[0]!.events.closed(reason);
    return { c, ws, wait: (c.getState().nextRetryAt ?? 0) - Date.now() };
  };
  const shutdown: CloseReason = { code: 'server_shutdown', retry: 'retry_now', message: 'bye' };
  // The same draws the client makes (one per delay), to pin each window exactly.
  const draw = (seed: number, n = 1) => {
    const random = seededRandom(seed);
    let value = 0;
    for (let i = 0; i < n; i++) value = random();
    return value;
  };

  test('server_shutdown: the first retry waits a random delay in [0, retryNowWindowMs)', async () => {
    const { wait } = await closeWith(shutdown);
    expect(wait).toBe(Math.floor(draw(42) * 1000));
    const wider = await closeWith(shutdown, { retryNowWindowMs: 5000 }, 7);
    expect(wider.wait).toBe(Math.floor(draw(7) * 5000));
  });

  test('heartbeat timeout: the first retry is in the retry-now window too', async () => {
    const ws = scripted('websocket', (events) => events.open(10_000));
    const { c } = client([ws.transport], { heartbeatGraceMs: 0 }, seededRandom(3));
    c.subscribe('t', {});
    await vi.advanceTimersByTimeAsync(10_000);
    expect(c.getState().error).toMatchObject({ code: 'heartbeat_timeout' });
    expect((c.getState().nextRetryAt ?? 0) - Date.now()).toBe(Math.floor(draw(3) * 1000));
  });

  test('token_expired concerns one client: still immediate', async () => {
    const { wait } = await closeWith({ code: 'token_expired', retry: 'retry_now', message: 'expired' });
    expect(wait).toBe(0);
  });

  test('a server-announced reconnectWithinMs replaces the window for that reconnect only', async () => {
    const { c, ws, wait } = await closeWith(shutdown, {}, 42, 10_000);
    expect(wait).toBe(Math.floor(draw(42) * 10_000));
    await vi.advanceTimersByTimeAsync(wait);
    expect(c.getState().status).toBe('open');
    // The next drop (attempt counter not reset yet: minUptimeMs) uses the ordinary full-jitter backoff.
    ws.sessions.at(-1)!.events.closed(shutdown);
    expect((c.getState().nextRetryAt ?? 0) - Date.now()).toBe(Math.floor(draw(42, 2) * 2000));
  });

  test('later retries use full-jitter backoff', async () => {
    const ws = scripted('websocket', (events, n) => (n === 1 ? events.open(86_400_000) : events.closed(shutdown)));
    const { c } = client([ws.transport], {}, seededRandom(9));
    c.subscribe('t', {});
    await vi.advanceTimersByTimeAsync(0);
    ws.sessions[0]!.events.closed(shutdown);
    const first = (c.getState().nextRetryAt ?? 0) - Date.now();
    expect(first).toBe(Math.floor(draw(9) * 1000));
    await vi.advanceTimersByTimeAsync(first);
    // The reconnect itself was refused with retry_now: attempt 1 -> [0, 2000).
    expect((c.getState().nextRetryAt ?? 0) - Date.now()).toBe(Math.floor(draw(9, 2) * 2000));
  });

  test('try_again_later: waits at least retryAfterMs plus a jitter as wide as the hint', async () => {
    const busy: CloseReason = { code: 'server_shutdown', retry: 'retry_backoff', message: 'busy', retryAfterMs: 3000 };
    const { wait } = await closeWith(busy, {}, 11);
    // One draw for the backoff, one for the hint's jitter.
    expect(wait).toBe(3000 + Math.floor(draw(11, 2) * 3000));
    expect(wait).toBeGreaterThanOrEqual(3000);
    expect(wait).toBeLessThan(6000);
  });

  test('GIVEN a retryAfterMs WHEN the network comes back meanwhile THEN the client still waits for the hint', async () => {
    const network = new EventTarget();
    const ws = scripted('websocket', open);
    const { c } = client([ws.transport], { platform: { network, visibility: null, random: () => 0.5 } });
    c.subscribe('t', {});
    await vi.advanceTimersByTimeAsync(0);
    ws.sessions[0]!.events.closed({ code: 'try_again_later', retry: 'retry_backoff', message: 'busy', retryAfterMs: 4000 });
    network.dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(3999);
    expect(ws.sessions).toHaveLength(1);
    // After the hint, `online` hurries the retry again (the jitter part of the wait is ours to skip).
    await vi.advanceTimersByTimeAsync(1);
    network.dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(0);
    expect(ws.sessions).toHaveLength(2);
  });

  test('GIVEN 200 clients dropped by a restart THEN no 100 ms window holds more than 20 % of their first reconnects', async () => {
    const buckets = new Map<number, number>();
    for (let seed = 1; seed <= 200; seed++) {
      const { wait, c } = await closeWith(shutdown, {}, seed * 7919);
      const bucket = Math.floor(wait / 100);
      buckets.set(bucket, (buckets.get(bucket) ?? 0) + 1);
      c.close();
    }
    expect(Math.max(...buckets.values())).toBeLessThanOrEqual(40);
    expect(buckets.size).toBe(10);
  });
});
