import { createDOM } from '@builder.io/qwik/testing';
import type { JSXOutput } from '@builder.io/qwik';
import { createTestClient, type TestClientOptions, type TestServer } from '@qwik-realtime/core/testing';
import type { RealtimeClient } from '@qwik-realtime/core';
import { vi } from 'vitest';
import { registerClient } from './client-registry.js';
import { DEFAULT_CONFIG, type RealtimeConfig } from './config.js';

/** A test client registered for an endpoint, and a way to undo it. */
export interface Harness {
  client: RealtimeClient;
  server: TestServer;
  dispose(): void;
}

/** Register a `createTestClient()` client as the page's client for `config` (default endpoint). */
export function harness(options: TestClientOptions = {}, config: RealtimeConfig = DEFAULT_CONFIG): Harness {
  const { client, server } = createTestClient({ teardownDelayMs: 0, ...options });
  const unregister = registerClient(config, client);
  return {
    client,
    server,
    dispose() {
      unregister();
      client.close();
    },
  };
}

/**
 * Render `jsx` into a fresh Qwik test DOM; visible tasks run during `render`. The test platform renders
 * state changes only when flushed, which its public API does after each `userEvent`: `settle` dispatches
 * an event on nothing to get that flush, and `until` retries an assertion with a flush before each try.
 */
export async function mount(jsx: JSXOutput) {
  const dom = await createDOM();
  const result = await dom.render(jsx);
  const settle = () => dom.userEvent('no-such-element', 'settle');
  const until = (assertion: () => void) =>
    vi.waitFor(
      async () => {
        await settle();
        assertion();
      },
      { timeout: 5000, interval: 20 },
    );
  return {
    ...dom,
    settle,
    until,
    async cleanup() {
      await settle();
      result.cleanup();
    },
  };
}

/** Texts of the elements matching `selector` inside `root`, in document order. */
export function texts(root: Element, selector: string): string[] {
  return Array.from(root.querySelectorAll(selector), (element) => element.textContent ?? '');
}
