import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { createBaseClient } from './base-client.js';
import type { BaseClientOptions } from './client.js';
import type { CloseReason, Transport, TransportEvents } from './transport.js';
import { createFakeTransport } from './testing/index.js';
import type { ConnectionState, TransportName } from './types.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A transport whose sessions the test drives by hand: `sessions.at(-1).events.open(...)` etc. */
function scripted(name: TransportName, onConnect?: (events: TransportEvents) => void) {
  const sessions: { events: TransportEvents; closed: boolean }[] = [];
  const transport: Transport = {
    name,
    connect(context, events) {
      const session = { events, closed: false };
      sessions.push(session);
      if (onConnect) queueMicrotask(() => onConnect(events));
      return {
        subscribe: () => true,
        unsubscribe: () => undefined,
        close: () => {
          session.closed = true;
        },
      };
    },
  };
  return { transport, sessions };
}

const opening = (heartbeatMs = 10_000) => (events: TransportEvents) => events.open(heartbeatMs);
const failing = (reason: CloseReason) => (events: TransportEvents) => events.closed(reason);
const lost: CloseReason = { code: 'disconnected', retry: 'retry_backoff', message: 'lost' };

function client(transports: Transport[], extra: Partial<BaseClientOptions> = {}) {
  const c = createBaseClient({ url: 'http://x/realtime', transports, platform: { network: null, visibility: null, random: () => 0.5 }, ...extra });
  const states: ConnectionState[] = [];
  c.onState((s) => states.push(s));
  return { c, states, statuses: () => states.map((s) => s.status) };
}

describe('connection', () => {
  test('state transitions: idle -> connecting -> open -> reconnecting -> open -> idle, then closed', async () => {
    const { transport, server } = createFakeTransport();
    const { c, statuses, states } = client([transport], { teardownDelayMs: 0 });
    expect(c.getState()).toEqual({ status: 'idle', transport: null, attempt: 0, nextRetryAt: null, error: null });
    const sub = c.subscribe('t', {});
    await vi.advanceTimersByTimeAsync(0);
    server.drop();
    expect(c.getState()).toMatchObject({ status: 'reconnecting', attempt: 1, error: { code: 'disconnected' } });
    expect(c.getState().nextRetryAt).toBe(Date.now() + 500);
    await vi.advanceTimersByTimeAsync(500);
    expect(c.getState()).toMatchObject({ status: 'open', error: null, transport: 'websocket' });
    sub.unsubscribe();
    c.close();
    expect(statuses()).toEqual(['connecting', 'open', 'reconnecting', 'reconnecting', 'open', 'idle', 'closed']);
    // Plain data: survives a JSON round trip unchanged (no functions, classes or undefined fields).
    for (const s of states) expect(JSON.parse(JSON.stringify(s))).toStrictEqual(s);
  });

  test('the attempt counter resets only after the connection stayed up for minUptimeMs', async () => {
    const { transport, server } = createFakeTransport();
    const { c } = client([transport], { minUptimeMs: 5000 });
    c.subscribe('t', {});
    await vi.advanceTimersByTimeAsync(0);
    const windows: number[] = [];
    // A flapping server: up for 1 s, then down. Backoff keeps growing.
    for (let i = 0; i < 4; i++) {
      await vi.advanceTimersByTimeAsync(1000);
      server.drop();
      const wait = (c.getState().nextRetryAt ?? 0) - Date.now();
      windows.push(wait);
      await vi.advanceTimersByTimeAsync(wait);
      expect(c.getState().status).toBe('open');
    }
    // random() = 0.5: half of 1 s, 2 s, 4 s, 8 s.
    expect(windows).toEqual([500, 1000, 2000, 4000]);
    expect(c.getState().attempt).toBe(4);
    await vi.advanceTimersByTimeAsync(4999);
    expect(c.getState().attempt).toBe(4);
    await vi.advanceTimersByTimeAsync(1);
    expect(c.getState().attempt).toBe(0);
    server.drop();
    expect((c.getState().nextRetryAt ?? 0) - Date.now()).toBe(500);
  });

  test('retry_now codes reconnect within the retry-now window (the first time), Retry-After hints are respected', async () => {
    const { transport, server } = createFakeTransport();
    const { c } = client([transport]);
    c.subscribe('t', {});
    await vi.advanceTimersByTimeAsync(0);
    server.drop('server_shutdown');
    // random() = 0.5 in the default 1000 ms window.
    expect(c.getState().nextRetryAt).toBe(Date.now() + 500);
    await vi.advanceTimersByTimeAsync(499);
    expect(server.attempts).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(c.getState().status).toBe('open');
    expect(server.attempts).toBe(2);

    const hinted = scripted('sse', opening());
    const second = client([hinted.transport]);
    second.c.subscribe('t', {});
    await vi.advanceTimersByTimeAsync(0);
    hinted.sessions[0]!.events.closed({ code: 'rate_limited', retry: 'retry_backoff', message: 'slow down', retryAfterMs: 7000 });
    // At least the hint, plus a jitter as wide as the hint: 7000 + 0.5 * 7000.
    expect((second.c.getState().nextRetryAt ?? 0) - Date.now()).toBe(10_500);
    await vi.advanceTimersByTimeAsync(10_499);
    expect(hinted.sessions).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(hinted.sessions).toHaveLength(2);
  });

  test("the SSE retry: hint scales the backoff unless backoff.baseMs is set explicitly", async () => {
    const hinted = scripted('fetch-sse', (events) => {
      events.retryHint?.(200);
      events.open(10_000);
    });
    const first = client([hinted.transport]);
    first.c.subscribe('t', {});
    await vi.advanceTimersByTimeAsync(0);
    hinted.sessions[0]!.events.closed(lost);
    // random() = 0.5 of a 200 ms window instead of the default 1 s.
    expect((first.c.getState().nextRetryAt ?? 0) - Date.now()).toBe(100);

    const explicit = scripted('fetch-sse', (events) => {
      events.retryHint?.(200);
      events.open(10_000);
    });
    const second = client([explicit.transport], { backoff: { baseMs: 4000 } });
    second.c.subscribe('t', {});
    await vi.advanceTimersByTimeAsync(0);
    explicit.sessions[0]!.events.closed(lost);
    expect((second.c.getState().nextRetryAt ?? 0) - Date.now()).toBe(2000);
  });

  test('no_retry codes stop and surface the error; connect() starts again', async () => {
    const refused = scripted('fetch-sse', failing({ code: 'forbidden', retry: 'no_retry', message: 'no' }));
    const { c, statuses } = client([refused.transport]);
    c.subscribe('t', {});
    await vi.advanceTimersByTimeAsync(120_000);
    expect(refused.sessions).toHaveLength(1);
    expect(c.getState()).toMatchObject({ status: 'closed', error: { code: 'forbidden', retry: 'no_retry' } });
    expect(statuses()).toEqual(['connecting', 'closed']);
    c.connect();
    await vi.advanceTimersByTimeAsync(0);
    expect(refused.sessions).toHaveLength(2);
  });

  test('fallback: a transport that fails before ever opening is skipped on the next attempts (for transportSkipMs, see connection-recovery.test.ts)', async () => {
    const ws = scripted('websocket', failing(lost));
    const sse = scripted('sse', opening());
    const { c } = client([ws.transport, sse.transport]);
    c.subscribe('t', {});
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(c.getState()).toMatchObject({ status: 'open', transport: 'sse', attempt: 0 });
    sse.sessions[0]!.events.closed(lost);
    await vi.advanceTimersByTimeAsync(1000);
    expect(c.getState()).toMatchObject({ status: 'open', transport: 'sse' });
    expect(ws.sessions).toHaveLength(1);
    expect(sse.sessions).toHaveLength(2);
  });

  test('a retry_now failure before opening (expired token, restarting server) does not skip the transport', async () => {
    let calls = 0;
    const ws = scripted('websocket', (events) => (++calls === 1 ? events.closed({ code: 'token_expired', retry: 'retry_now', message: 'old token' }) : events.open(10_000)));
    const sse = scripted('sse', opening());
    const { c } = client([ws.transport, sse.transport]);
    c.subscribe('t', {});
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(c.getState()).toMatchObject({ status: 'open', transport: 'websocket' });
    expect(sse.sessions).toHaveLength(0);
  });

  test('a transport that opened once is never skipped; when every transport fails the chain starts over with backoff', async () => {
    const ws = scripted('websocket', failing(lost));
    const poll = scripted('long-poll', failing(lost));
    const { c } = client([ws.transport, poll.transport]);
    c.subscribe('t', {});
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(ws.sessions).toHaveLength(1);
    expect(poll.sessions).toHaveLength(1);
    expect(c.getState()).toMatchObject({ status: 'reconnecting', attempt: 1 });
    await vi.advanceTimersByTimeAsync(500);
    expect(ws.sessions).toHaveLength(2);
  });

  test('heartbeat: no sign of life for heartbeatMs + grace -> reconnect with heartbeat_timeout', async () => {
    const { transport, server } = createFakeTransport({ heartbeatMs: 10_000 });
    const { c, statuses } = client([transport], { heartbeatGraceMs: 2000 });
    c.subscribe('t', {});
    await vi.advanceTimersByTimeAsync(11_999);
    server.publish('t', 1);
    await vi.advanceTimersByTimeAsync(11_999);
    expect(c.getState().status).toBe('open');
    await vi.advanceTimersByTimeAsync(1);
    expect(statuses()).toContain('reconnecting');
    expect(c.getState().error).toMatchObject({ code: 'heartbeat_timeout', retry: 'retry_now' });
    // A retry-now close waits in the retry-now window (random() = 0.5 of 1000 ms).
    expect((c.getState().nextRetryAt ?? 0) - Date.now()).toBe(500);
    await vi.advanceTimersByTimeAsync(500);
    expect(server.attempts).toBe(2);
  });

  test('wall clock: when the page becomes visible or the network returns, a stale connection is replaced at once', async () => {
    const visibility = Object.assign(new EventTarget(), { visibilityState: 'visible' });
    const network = new EventTarget();
    const { transport, server } = createFakeTransport({ heartbeatMs: 10_000 });
    const c = createBaseClient({ url: 'http://x', transports: [transport], platform: { network, visibility }, heartbeatGraceMs: 2000 });
    c.subscribe('t', {});
    await vi.advanceTimersByTimeAsync(0);
    // Timers frozen in a background tab while the clock moves on.
    vi.setSystemTime(Date.now() + 60_000);
    visibility.dispatchEvent(new Event('visibilitychange'));
    expect(c.getState().error).toMatchObject({ code: 'heartbeat_timeout' });
    // The first retry after a retry-now close waits somewhere in the 1000 ms window.
    await vi.advanceTimersByTimeAsync(1000);
    expect(server.attempts).toBe(2);
    vi.setSystemTime(Date.now() + 60_000);
    network.dispatchEvent(new Event('online'));
    expect(c.getState().status).toBe('reconnecting');
    // Second retry in a row: backoff applies (at most the 2 s window of attempt 1).
    await vi.advanceTimersByTimeAsync(2000);
    expect(server.attempts).toBe(3);
  });

  test('online while waiting to retry: reconnect at once', async () => {
    const network = new EventTarget();
    const { transport, server } = createFakeTransport();
    const c = createBaseClient({ url: 'http://x', transports: [transport], platform: { network, visibility: null }, backoff: { baseMs: 60_000, capMs: 60_000 } });
    c.subscribe('t', {});
    await vi.advanceTimersByTimeAsync(0);
    server.drop();
    await vi.advanceTimersByTimeAsync(10);
    expect(c.getState().status).toBe('reconnecting');
    network.dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(0);
    expect(c.getState().status).toBe('open');
  });

  test('pauseWhenHidden: disconnects while hidden and resumes from its positions when visible; off by default', async () => {
    const visibility = Object.assign(new EventTarget(), { visibilityState: 'visible' });
    const { transport, server } = createFakeTransport();
    const seen: number[] = [];
    const c = createBaseClient({ url: 'http://x', transports: [transport], platform: { network: null, visibility }, pauseWhenHidden: true });
    c.subscribe<number>('t', { onMessage: (m) => seen.push(m.data) });
    await vi.advanceTimersByTimeAsync(0);
    server.publish('t', 1);
    visibility.visibilityState = 'hidden';
    visibility.dispatchEvent(new Event('visibilitychange'));
    expect(server.connected).toBe(false);
    server.publish('t', 2);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(server.attempts).toBe(1);
    visibility.visibilityState = 'visible';
    visibility.dispatchEvent(new Event('visibilitychange'));
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual([1, 2]);

    const other = createFakeTransport();
    const staying = createBaseClient({ url: 'http://x', transports: [other.transport], platform: { network: null, visibility } });
    staying.subscribe('t', {});
    await vi.advanceTimersByTimeAsync(0);
    visibility.visibilityState = 'hidden';
    visibility.dispatchEvent(new Event('visibilitychange'));
    expect(other.server.connected).toBe(true);
  });

  test('topics added while open go over the same session; SSE-like transports restart once for a burst', async () => {
    const restarts: number[] = [];
    const { transport, server } = createFakeTransport();
    const { c } = client([transport], { debug: (event) => event === 'attempt' && restarts.push(1) });
    c.subscribe('a', {});
    c.subscribe('b', {});
    await vi.advanceTimersByTimeAsync(0);
    c.subscribe('c', {});
    await vi.advanceTimersByTimeAsync(0);
    expect(restarts).toHaveLength(1);
    expect(['a', 'b', 'c'].map((t) => server.subscribers(t))).toEqual([1, 1, 1]);

    const sse = scripted('sse', opening());
    sse.transport.connect = ((connect) => (context, events) => {
      const session = connect(context, events);
      return { ...session, subscribe: () => false };
    })(sse.transport.connect.bind(sse.transport));
    const second = client([sse.transport]);
    second.c.subscribe('a', {});
    await vi.advanceTimersByTimeAsync(0);
    second.c.subscribe('b', {});
    second.c.subscribe('c', {});
    await vi.advanceTimersByTimeAsync(0);
    expect(sse.sessions).toHaveLength(2);
    expect(sse.sessions[0]!.closed).toBe(true);
    expect(second.c.getState().status).toBe('open');
  });
});
