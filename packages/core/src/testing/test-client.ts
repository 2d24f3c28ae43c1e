import { createBaseClient } from '../base-client.js';
import type { BaseClientOptions } from '../client.js';
import type { ConnectionState, RealtimeClient } from '../types.js';
import { createFakeTransport } from './fake-server.js';
import type { FakeServer, FakeTransportOptions } from './fake-server.js';

/** The server side of {@link createTestClient}: a {@link FakeServer} that can also force the client's state. */
export interface TestServer extends FakeServer {
  /**
   * Force what `getState()`/`onState` report (e.g. `{ status: 'reconnecting', nextRetryAt: Date.now() + 4000 }`)
   * to test a status badge; `null` goes back to the real state.
   */
  setState(state: Partial<ConnectionState> | null): void;
}

/**
 * Options of {@link createTestClient}: client options (minus url and transports) and fake server options.
 * Unlike `createClient`, `retryNowWindowMs` defaults to 0 (a dropped fake server is rejoined at once); set
 * it to test the spread of reconnects.
 */
export type TestClientOptions = Partial<Omit<BaseClientOptions, 'transports'>> & FakeTransportOptions;

/**
 * A real client wired to an in-memory server: test components that subscribe and publish without a hub.
 * Everything the client does (refcount, delayed teardown, resume, dedup, backoff) is the real code.
 * @example
 * const { client, server } = createTestClient();
 * const seen: unknown[] = [];
 * client.subscribe('chat', { onMessage: (m) => seen.push(m.data) });
 * await server.flush();
 * server.publish('chat', { text: 'hi' });
 * await server.flush();
 * expect(seen).toEqual([{ text: 'hi' }]);
 */
export function createTestClient(options: TestClientOptions = {}): { client: RealtimeClient; server: TestServer } {
  const { name, historySize, heartbeatMs, ...clientOptions } = options;
  const { transport, server: fake } = createFakeTransport({ name, historySize, heartbeatMs });
  const real = createBaseClient({ url: 'http://test.invalid/realtime', platform: { network: null, visibility: null }, retryNowWindowMs: 0, ...clientOptions, transports: [transport] });
  let forced: Partial<ConnectionState> | null = null;
  const listeners = new Set<(state: ConnectionState) => void>();
  const view = () => (forced ? { ...real.getState(), ...forced } : real.getState());
  real.onState(() => {
    for (const listener of [...listeners]) listener(view());
  });
  const client: RealtimeClient = {
    ...real,
    getState: view,
    onState(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const server = Object.create(fake, {
    setState: {
      value(state: Partial<ConnectionState> | null) {
        forced = state;
        const snapshot = view();
        for (const listener of [...listeners]) listener(snapshot);
      },
    },
  }) as TestServer;
  return { client, server };
}
