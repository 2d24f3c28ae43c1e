import { createTestClient } from '@qwik-realtime/core/testing';
import type { RealtimeClient } from '@qwik-realtime/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { acquireClient, createClientRegistry, registerClient, RELEASE_DELAY_MS } from './client-registry.js';
import type { RealtimeConfig } from './config.js';

/** A registry building test clients, and every client it built. */
function testRegistry() {
  const built: RealtimeClient[] = [];
  const registry = createClientRegistry({
    createClient: async () => {
      const { client } = createTestClient({ teardownDelayMs: 0 });
      built.push(client);
      return client;
    },
  });
  return { registry, built };
}

describe('client registry', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('GIVEN several users of one endpoint THEN they share one client, which is closed only after the last release and a delay', async () => {
    const { registry, built } = testRegistry();
    const config: RealtimeConfig = { url: 'http://127.0.0.1:9/realtime', transports: [] };
    const [a, b] = await Promise.all([registry.acquire(config), registry.acquire(config)]);
    expect(built).toHaveLength(1);
    expect(b.client).toBe(a.client);
    const other = await registry.acquire({ ...config, options: { minUptimeMs: 1 } });
    expect(other.client).not.toBe(a.client);
    a.release();
    a.release();
    await vi.advanceTimersByTimeAsync(RELEASE_DELAY_MS * 2);
    expect(b.client.getState().status).not.toBe('closed');
    b.release();
    await vi.advanceTimersByTimeAsync(RELEASE_DELAY_MS - 1);
    const again = await registry.acquire(config);
    expect(again.client).toBe(a.client);
    again.release();
    await vi.advanceTimersByTimeAsync(RELEASE_DELAY_MS);
    expect(a.client.getState().status).toBe('closed');
    const fresh = await registry.acquire(config);
    expect(fresh.client).not.toBe(a.client);
    fresh.release();
    other.release();
  });

  it('GIVEN server rendering THEN the page registry refuses to build a client (module state is shared by requests)', async () => {
    await expect(acquireClient({ url: '/not-registered', transports: [] })).rejects.toThrow(/only in the browser/);
  });

  it('GIVEN a registered client THEN every user gets it and the registry never closes it', async () => {
    const { client } = createTestClient();
    const config = { url: '/registered', transports: [] };
    const unregister = registerClient(config, client);
    const lease = await acquireClient(config);
    expect(lease.client).toBe(client);
    lease.release();
    await vi.advanceTimersByTimeAsync(RELEASE_DELAY_MS * 2);
    expect(client.getState().status).not.toBe('closed');
    expect((await acquireClient(config)).client).toBe(client);
    unregister();
    client.close();
  });

  it('GIVEN a built client in use WHEN a client is registered for the endpoint THEN the users move to it and the built one is closed, not leaked', async () => {
    const { registry, built } = testRegistry();
    const config: RealtimeConfig = { url: '/late', transports: [] };
    const lease = await registry.acquire(config);
    const moved: RealtimeClient[] = [];
    lease.onMove((next) => moved.push(next));
    const sub = lease.client.subscribe('t', {});
    const { client: registered } = createTestClient();
    registry.register(config, registered);
    expect(moved).toEqual([registered]);
    expect(lease.client).toBe(registered);
    expect(built[0]!.getState().status).toBe('closed');
    expect((await registry.acquire(config)).client).toBe(registered);
    sub.unsubscribe();
    lease.release();
    await vi.advanceTimersByTimeAsync(RELEASE_DELAY_MS * 2);
    expect(registered.getState().status).not.toBe('closed');
    registered.close();
  });

  it('GIVEN a registered client WHEN another one is registered THEN the first is handed back to the app, open', async () => {
    const { registry } = testRegistry();
    const config: RealtimeConfig = { url: '/twice', transports: [] };
    const { client: first } = createTestClient();
    const { client: second } = createTestClient();
    registry.register(config, first);
    const lease = await registry.acquire(config);
    const unregisterSecond = registry.register(config, second);
    expect(lease.client).toBe(second);
    expect(first.getState().status).not.toBe('closed');
    lease.release();
    unregisterSecond();
    first.close();
    second.close();
  });

  it('GIVEN a client being built WHEN one is registered meanwhile THEN the built one is closed and everyone gets the registered one', async () => {
    let finish!: () => void;
    const { client: late } = createTestClient();
    const registry = createClientRegistry({ createClient: () => new Promise((resolve) => (finish = () => resolve(late))) });
    const config: RealtimeConfig = { url: '/race', transports: [] };
    const acquiring = registry.acquire(config);
    const { client: registered } = createTestClient();
    registry.register(config, registered);
    finish();
    const lease = await acquiring;
    expect(lease.client).toBe(registered);
    expect(late.getState().status).toBe('closed');
    lease.release();
    registered.close();
  });
});
