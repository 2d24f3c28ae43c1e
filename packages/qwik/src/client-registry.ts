import { isServer } from '@builder.io/qwik/build';
import type { RealtimeClient } from '@qwik-realtime/core';
import { endpointKey, type RealtimeConfig } from './config.js';
import { createClientFromConfig } from './create-client.js';

/** A counted use of a shared client; call `release` exactly once when the user goes away. */
export interface ClientLease {
  readonly client: RealtimeClient;
  release(): void;
}

/** One client per endpoint, counted by its users. */
export interface ClientRegistry {
  acquire(config: RealtimeConfig): ClientLease;
  register(config: RealtimeConfig, client: RealtimeClient): () => void;
}

/** Seams of {@link createClientRegistry}. */
export interface ClientRegistryOptions {
  /** Build a client for an endpoint. @default the core client with the config's transports */
  createClient?: (config: RealtimeConfig) => RealtimeClient;
  /** Refuse to build clients (server rendering: module state is shared by every request). @default isServer */
  refuseToCreate?: boolean;
}

interface Entry {
  client: RealtimeClient;
  refs: number;
  /** Created by the registry (closed when unused) rather than registered by the app. */
  owned: boolean;
  closeTimer: ReturnType<typeof setTimeout> | undefined;
}

/** How long an unused client stays open, so an unmount + remount (or a quick navigation) reuses it. */
export const RELEASE_DELAY_MS = 1000;

/** A registry of shared clients; the package uses one per page (see {@link acquireClient}). */
export function createClientRegistry(options: ClientRegistryOptions = {}): ClientRegistry {
  const create = options.createClient ?? createClientFromConfig;
  const entries = new Map<string, Entry>();

  return {
    acquire(config) {
      const key = endpointKey(config);
      let entry = entries.get(key);
      if (!entry && options.refuseToCreate) {
        throw new Error('@qwik-realtime/qwik: live clients exist only in the browser (connect in useVisibleTask$)');
      }
      if (!entry) {
        entry = { client: create(config), refs: 0, owned: true, closeTimer: undefined };
        entries.set(key, entry);
      }
      const current = entry;
      if (current.closeTimer !== undefined) {
        clearTimeout(current.closeTimer);
        current.closeTimer = undefined;
      }
      current.refs++;
      let released = false;
      return {
        client: current.client,
        release() {
          if (released) return;
          released = true;
          current.refs--;
          if (current.refs > 0 || !current.owned) return;
          current.closeTimer = setTimeout(() => {
            current.closeTimer = undefined;
            if (current.refs > 0 || entries.get(key) !== current) return;
            entries.delete(key);
            current.client.close();
          }, RELEASE_DELAY_MS);
        },
      };
    },
    register(config, client) {
      const key = endpointKey(config);
      const previous = entries.get(key);
      if (previous?.closeTimer !== undefined) clearTimeout(previous.closeTimer);
      if (previous?.owned && previous.refs === 0) previous.client.close();
      const entry: Entry = { client, refs: 0, owned: false, closeTimer: undefined };
      entries.set(key, entry);
      return () => {
        if (entries.get(key) === entry) entries.delete(key);
      };
    },
  };
}

// Module state is per page in the browser; on the server it would be shared by every request, hence
// `refuseToCreate` there.
const pageRegistry = createClientRegistry({ refuseToCreate: isServer });

/**
 * Borrow the page's shared client for `config`'s endpoint, creating it on first use. Browser only: on the
 * server it throws (module state there is shared by every request) unless a client was registered for the
 * endpoint with {@link registerClient}, as tests do.
 * @example
 * const lease = acquireClient({ url: '/realtime' });
 * const sub = lease.client.subscribe('news', { onMessage });
 * // later
 * sub.unsubscribe();
 * lease.release();
 */
export function acquireClient(config: RealtimeConfig): ClientLease {
  return pageRegistry.acquire(config);
}

/**
 * Use an existing client for an endpoint instead of letting the registry build one: a test client from
 * `@qwik-realtime/core/testing`, or a client configured with things that cannot live in Qwik context
 * (a `getToken` function, custom transports). The registry never closes a registered client.
 * Returns a function that unregisters it.
 * @example
 * const { client, server } = createTestClient();
 * const unregister = registerClient({ url: '/realtime' }, client);
 */
export function registerClient(config: RealtimeConfig, client: RealtimeClient): () => void {
  return pageRegistry.register(config, client);
}
