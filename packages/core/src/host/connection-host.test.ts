import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestClient } from '../testing/index.js';
import type { TestServer } from '../testing/index.js';
import type { Envelope } from '../protocol/index.js';
import { createConnectionHost } from './connection-host.js';
import type { ConnectionHost } from './connection-host.js';
import type { PortLike } from './messages.js';
import { createTabClient } from './tab-client.js';
import type { HostSubscribeOptions } from './tab-client.js';

type Listener = (event: { data: unknown }) => void;

/** Two entangled ports; messages are structured-cloned (plain data only, as postMessage) and arrive in a microtask. */
function portPair(): [PortLike & { silent: boolean }, PortLike & { silent: boolean }] {
  const make = () => ({ listeners: new Set<Listener>(), silent: false, other: undefined as unknown as { listeners: Set<Listener> } });
  const a = make();
  const b = make();
  a.other = b;
  b.other = a;
  const port = (side: typeof a) => {
    const value = {
      get silent() {
        return side.silent;
      },
      set silent(on: boolean) {
        side.silent = on;
      },
      postMessage(message: unknown) {
        if (side.silent) return;
        const copy = structuredClone(message);
        queueMicrotask(() => {
          for (const listener of side.other.listeners) listener({ data: copy });
        });
      },
      addEventListener: (_type: 'message', listener: Listener) => void side.listeners.add(listener),
      removeEventListener: (_type: 'message', listener: Listener) => void side.listeners.delete(listener),
      close: () => undefined,
    };
    return value;
  };
  return [port(a), port(b)];
}

/** A fake `window` for pagehide/pageshow. */
function fakeWindow() {
  const listeners = new Map<string, Set<() => void>>();
  return {
    addEventListener: (type: string, listener: () => void) => void (listeners.get(type) ?? listeners.set(type, new Set()).get(type)!).add(listener),
    removeEventListener: (type: string, listener: () => void) => void listeners.get(type)?.delete(listener),
    dispatch: (type: string) => listeners.get(type)?.forEach((listener) => listener()),
  };
}

const ENDPOINT = { url: 'http://example.test/realtime' };

describe('connection host + tab clients', () => {
  let host: ConnectionHost;
  let servers: TestServer[];
  let frames: (() => void)[];
  const runFrames = async () => {
    for (const deliver of frames.splice(0)) deliver();
    await vi.advanceTimersByTimeAsync(0);
  };
  /** Run frames until the host has nothing more to send (bounded). */
  const settle = async () => {
    await vi.advanceTimersByTimeAsync(0);
    for (let i = 0; i < 20 && frames.length; i++) await runFrames();
    expect(frames).toEqual([]);
  };
  const tab = (win = fakeWindow()) => {
    const [tabPort, hostPort] = portPair();
    host.accept(hostPort);
    const client = createTabClient({ port: tabPort, endpoint: ENDPOINT, scheduleFrame: (deliver) => frames.push(deliver), window: win as never });
    return { client, port: tabPort, win };
  };

  beforeEach(() => {
    vi.useFakeTimers();
    servers = [];
    frames = [];
    host = createConnectionHost({
      createClient: () => {
        const { client, server } = createTestClient({ teardownDelayMs: 0 });
        servers.push(server);
        return client;
      },
      pingMs: 1000,
      missedPings: 3,
      lingerMs: 1000,
    });
  });
  afterEach(() => {
    host.close();
    vi.useRealTimers();
  });

  it('GIVEN two tabs on one endpoint and topic WHEN a message is published THEN there is one client and one server subscription, and each tab gets it once', async () => {
    const first = tab();
    const second = tab();
    const got: Record<string, unknown[]> = { first: [], second: [] };
    first.client.subscribe('news', { onMessage: (message) => got.first!.push(message.data) });
    second.client.subscribe('news', { onMessage: (message) => got.second!.push(message.data) });
    await settle();
    expect(servers).toHaveLength(1);
    expect(servers[0]!.subscribers('news')).toBe(1);
    servers[0]!.publish('news', { n: 1 });
    await vi.advanceTimersByTimeAsync(0);
    expect(got).toEqual({ first: [], second: [] });
    await settle();
    expect(got).toEqual({ first: [{ n: 1 }], second: [{ n: 1 }] });
    expect(host.tabs()).toEqual({ [ENDPOINT.url]: 2 });
  });

  it('GIVEN a tab that has not handled its batch WHEN more messages come THEN nothing more is sent until it did, and `last` keeps only the newest N', async () => {
    const only = tab();
    const batches: number[][] = [];
    let skipped = 0;
    const options: HostSubscribeOptions = { last: 2, onBatch: (messages: Envelope[]) => batches.push(messages.map((m) => m.data as number)), onSkipped: (count) => (skipped += count) };
    only.client.subscribe('ticks', options);
    await settle();
    const server = servers[0]!;
    server.publish('ticks', 1);
    await vi.advanceTimersByTimeAsync(0);
    expect(frames).toHaveLength(1);
    for (let i = 2; i <= 6; i++) server.publish('ticks', i);
    await vi.advanceTimersByTimeAsync(0);
    // One batch in flight: the tab has not run its frame, so the host holds the rest.
    expect(frames).toHaveLength(1);
    await runFrames();
    expect(frames).toHaveLength(1);
    await runFrames();
    expect(batches).toEqual([[1], [5, 6]]);
    expect(skipped).toBe(3);
  });

  it('GIVEN a tab on a conflated topic WHEN the server dropped messages for the host connection THEN the tab hears onConflated before the message that replaced them', async () => {
    const only = tab();
    const seen: string[] = [];
    only.client.subscribe('prices:BTC', {
      onConflated: (event) => seen.push(`dropped ${event.dropped} before #${event.position.offset}`),
      onMessage: (message) => seen.push(`#${message.offset}`),
    });
    await settle();
    const server = servers[0]!;
    server.publish('prices:BTC', 1);
    await settle();
    server.publish('prices:BTC', 9, { conflated: 7 });
    await settle();
    expect(seen).toEqual(['#1', 'dropped 7 before #9', '#9']);
  });

  it('GIVEN two tabs WHEN one goes silent (crashed: no pagehide, no pong) THEN after three missed pings its topics are released and the other stays', async () => {
    const survivor = tab();
    const doomed = tab();
    survivor.client.subscribe('stays', {});
    doomed.client.subscribe('goes', {});
    await settle();
    const server = servers[0]!;
    expect([server.subscribers('stays'), server.subscribers('goes')]).toEqual([1, 1]);
    doomed.port.silent = true;
    await vi.advanceTimersByTimeAsync(2500);
    expect(server.subscribers('goes')).toBe(1);
    await vi.advanceTimersByTimeAsync(2000);
    expect([server.subscribers('stays'), server.subscribers('goes')]).toEqual([1, 0]);
    expect(host.tabs()).toEqual({ [ENDPOINT.url]: 1 });
  });

  it('GIVEN a tab the host gave up (busy past the pings) WHEN it speaks again THEN it is told so and subscribes again from its position, missing nothing', async () => {
    const busy = tab();
    const got: unknown[] = [];
    busy.client.subscribe('news', { onMessage: (message) => got.push(message.data) });
    await settle();
    const server = servers[0]!;
    server.publish('news', 1);
    await settle();
    busy.port.silent = true;
    await vi.advanceTimersByTimeAsync(4500);
    expect(server.subscribers('news')).toBe(0);
    server.publish('news', 2);
    busy.port.silent = false;
    busy.client.subscribe('other', {});
    await settle();
    await vi.advanceTimersByTimeAsync(0);
    await settle();
    expect([servers.at(-1)!.subscribers('news'), servers.at(-1)!.subscribers('other')]).toEqual([1, 1]);
    servers.at(-1)!.publish('news', 3);
    await settle();
    expect(got).toEqual([1, 2, 3]);
  });

  it('GIVEN the last tab WHEN it hides (pagehide) THEN its topics are released at once and the endpoint client closes after the linger; pageshow resubscribes', async () => {
    const only = tab();
    only.client.subscribe('news', {});
    await vi.advanceTimersByTimeAsync(0);
    const server = servers[0]!;
    expect(server.subscribers('news')).toBe(1);
    only.win.dispatch('pagehide');
    await vi.advanceTimersByTimeAsync(0);
    expect(server.subscribers('news')).toBe(0);
    expect(host.tabs()).toEqual({});
    only.win.dispatch('pageshow');
    await vi.advanceTimersByTimeAsync(0);
    expect(servers.at(-1)!.subscribers('news')).toBe(1);
  });
});
