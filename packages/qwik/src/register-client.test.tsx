import { createTestClient } from '@qwik-realtime/core/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { registerClient } from './client-registry.js';
import { ConnectionStatus } from './connection-status/connection-status.js';
import { DEFAULT_CONFIG } from './config.js';
import { LiveFeed } from './live-feed/live-feed.js';
import { harness, mount, texts, type Harness } from './test-helpers.js';

describe('registerClient while components are live', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness();
  });
  afterEach(() => h.dispose());

  it('GIVEN a connected feed WHEN another client is registered for its endpoint THEN the feed moves to it and leaves the first one', async () => {
    const { screen, until, cleanup } = await mount(
      <div>
        <ConnectionStatus />
        <LiveFeed topic="moving" order="oldest-first" />
      </div>,
    );
    await vi.waitFor(() => expect(h.server.subscribers('moving')).toBe(1));
    h.server.publish('moving', 'before');
    await until(() => expect(texts(screen, 'li')).toEqual(['before']));

    const next = createTestClient({ teardownDelayMs: 0 });
    const unregister = registerClient(DEFAULT_CONFIG, next.client);
    await vi.waitFor(() => expect(next.server.subscribers('moving')).toBe(1));
    await vi.waitFor(() => expect(h.server.subscribers('moving')).toBe(0));
    next.server.publish('moving', 'after', { id: 'unique-after' });
    await until(() => expect(texts(screen, 'li')).toEqual(['before', 'after']));
    // The badge follows the new client too.
    next.server.setState({ status: 'reconnecting', attempt: 1, nextRetryAt: Date.now() + 9000 });
    await until(() => expect(screen.querySelector('[role="status"]')!.getAttribute('data-state')).toBe('reconnecting'));
    await cleanup();
    await vi.waitFor(() => expect(next.server.subscribers('moving')).toBe(0));
    unregister();
    next.client.close();
  });
});
