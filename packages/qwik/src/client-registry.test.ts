import { createTestClient } from '@qwik-realtime/core/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { acquireClient, createClientRegistry, registerClient, RELEASE_DELAY_MS } from './client-registry.js';

describe('client registry', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('GIVEN several users of one endpoint THEN they share one client, which is closed only after the last release and a delay', async () => {
    const registry = createClientRegistry();
    const acquireClient = registry.acquire;
    const config = { url: 'http://127.0.0.1:9/realtime', transports: ['long-poll' as const] };
    const a = acquireClient(config);
    const b = acquireClient(config);
    expect(b.client).toBe(a.client);
    expect(acquireClient({ ...config, transports: ['sse'] }).client).not.toBe(a.client);
    a.release();
    a.release();
    await vi.advanceTimersByTimeAsync(RELEASE_DELAY_MS * 2);
    expect(b.client.getState().status).not.toBe('closed');
    b.release();
    await vi.advanceTimersByTimeAsync(RELEASE_DELAY_MS - 1);
    const again = acquireClient(config);
    expect(again.client).toBe(a.client);
    again.release();
    await vi.advanceTimersByTimeAsync(RELEASE_DELAY_MS);
    expect(a.client.getState().status).toBe('closed');
    const fresh = acquireClient(config);
    expect(fresh.client).not.toBe(a.client);
    fresh.release();
  });

  it('GIVEN server rendering THEN the page registry refuses to build a client (module state is shared by requests)', () => {
    expect(() => acquireClient({ url: '/not-registered' })).toThrow(/only in the browser/);
  });

  it('GIVEN a registered client THEN every user gets it and the registry never closes it', async () => {
    const { client } = createTestClient();
    const config = { url: '/registered' };
    const unregister = registerClient(config, client);
    const lease = acquireClient(config);
    expect(lease.client).toBe(client);
    lease.release();
    await vi.advanceTimersByTimeAsync(RELEASE_DELAY_MS * 2);
    expect(client.getState().status).not.toBe('closed');
    expect(acquireClient(config).client).toBe(client);
    unregister();
    client.close();
  });
});
