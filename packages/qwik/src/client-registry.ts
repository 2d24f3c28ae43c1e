import { isServer } from '@builder.io/qwik/build';
import type { RealtimeClient } from '@qwik-realtime/core';
import { endpointKey, type RealtimeConfig } from './config.js';
import { createClientFromConfig } from './create-client.js';

/** A counted use of an endpoint's shared client; call `release` exactly once when the user goes away. */
export interface ClientLease {
  /** The endpoint's client now; it changes when {@link registerClient} replaces it. */
  readonly client: RealtimeClient;
  /** Be told when the endpoint's client is replaced: move your subscriptions to `next`. */
  onMove(listener: (next: RealtimeClient, previous: RealtimeClient) => void): void;
  release(): void;
}

/** One client per endpoint, counted by its users. */
export interface ClientRegistry {
  acquire(config: RealtimeConfig): Promise<ClientLease>;
  register(config: RealtimeConfig, client: RealtimeClient): () => void;
}

/** Seams of {@link createClientRegistry}. */
export interface ClientRegistryOptions {
  /** Build a client for an endpoint. @default the core client with the config's transports */
  createClient?: (config: RealtimeConfig) => Promise<RealtimeClient>;
  /** Refuse to build clients (server rendering: module state is shared by every request). @default isServer */
  refuseToCreate?: boolean;
}

interface Entry {
  client: RealtimeClient;
  refs: number;
  /** Created by the registry (closed when unused or replaced) rather than registered by the app. */
  owned: boolean;
  closeTimer: ReturnType<typeof setTimeout> | undefined;
  movers: Set<(next: RealtimeClient, previous: RealtimeClient) => void>;
}

/** How long an unused client stays open, so an unmount + remount (or a quick navigation) reuses it. */
export const RELEASE_DELAY_MS = 1000;

/** What a registry holds; `acquireFrom` and `registerIn` work on it (apart, so an app that never registers a client does not bundle that path). */
interface RegistryState {
  create: (config: RealtimeConfig) => Promise<RealtimeClient>;
  refuseToCreate: boolean | undefined;
  entries: Map<string, Entry>;
  pending: Map<string, Promise<Entry>>;
}

const stateOf = (options: ClientRegistryOptions): RegistryState => ({
  create: options.createClient ?? createClientFromConfig,
  refuseToCreate: options.refuseToCreate,
  entries: new Map(),
  pending: new Map(),
});

function build({ create, refuseToCreate, entries, pending }: RegistryState, key: string, config: RealtimeConfig): Promise<Entry> {
  if (refuseToCreate) return Promise.reject(new Error('@qwik-realtime/qwik: clients exist only in the browser'));
  let building = pending.get(key);
  if (!building) {
    building = create(config).then(
      (client) => {
        pending.delete(key);
        // registerClient may have won the race while the transports loaded: use its client.
        const existing = entries.get(key);
        if (existing) {
          client.close();
          return existing;
        }
        const entry: Entry = { client, refs: 0, owned: true, closeTimer: undefined, movers: new Set() };
        entries.set(key, entry);
        return entry;
      },
      (error: unknown) => {
        pending.delete(key);
        throw error;
      },
    );
    pending.set(key, building);
  }
  return building;
}

function lease(entries: Map<string, Entry>, key: string, entry: Entry): ClientLease {
  clearTimeout(entry.closeTimer);
  entry.closeTimer = undefined;
  entry.refs++;
  let released = false;
  const mine = new Set<(next: RealtimeClient, previous: RealtimeClient) => void>();
  return {
    get client() {
      return entry.client;
    },
    onMove(listener) {
      if (released) return;
      mine.add(listener);
      entry.movers.add(listener);
    },
    release() {
      if (released) return;
      released = true;
      for (const listener of mine) entry.movers.delete(listener);
      entry.refs--;
      if (entry.refs > 0 || !entry.owned) return;
      entry.closeTimer = setTimeout(() => {
        entry.closeTimer = undefined;
        if (entry.refs > 0 || !entry.owned || entries.get(key) !== entry) return;
        entries.delete(key);
        entry.client.close();
      }, RELEASE_DELAY_MS);
    },
  };
}

async function acquireFrom(state: RegistryState, config: RealtimeConfig): Promise<ClientLease> {
  const key = endpointKey(config);
  return lease(state.entries, key, state.entries.get(key) ?? (await build(state, key, config)));
}

function registerIn({ entries }: RegistryState, config: RealtimeConfig, client: RealtimeClient): () => void {
  const key = endpointKey(config);
  let entry = entries.get(key);
  if (!entry) {
    entry = { client, refs: 0, owned: false, closeTimer: undefined, movers: new Set() };
    entries.set(key, entry);
  } else if (entry.client !== client) {
    clearTimeout(entry.closeTimer);
    entry.closeTimer = undefined;
    const previous = entry.client;
    const ownedPrevious = entry.owned;
    entry.client = client;
    entry.owned = false;
    // Users move first, so the old client's subscriptions are gone before it is closed.
    for (const move of [...entry.movers]) move(client, previous);
    // A client the registry built would leak if kept; one the app registered is the app's to close.
    if (ownedPrevious) previous.close();
  }
  const registered = entry;
  return () => {
    if (entries.get(key) === registered && registered.client === client) entries.delete(key);
  };
}

/** A registry of shared clients; the package uses one per page. */
export function createClientRegistry(options: ClientRegistryOptions = {}): ClientRegistry {
  const state = stateOf(options);
  return {
    acquire: (config) => acquireFrom(state, config),
    register: (config, client) => registerIn(state, config, client),
  };
}

// Module state is per page in the browser; on the server it would be shared by every request, hence
// `refuseToCreate` there.
const pageRegistry = stateOf({ refuseToCreate: isServer });

/**
 * Borrow the page's shared client for `config`'s endpoint, creating it on first use (browser only).
 */
export function acquireClient(config: RealtimeConfig): Promise<ClientLease> {
  return acquireFrom(pageRegistry, config);
}

/**
 * Use your own client for an endpoint: a test client from `@qwik-realtime/core/testing`, or one built with
 * options that are not data. Works whenever it is called: components already connected move their
 * subscriptions to it, and a client the page had built for the endpoint is closed (never leaked). The
 * registry never closes a registered client. Returns a function that unregisters it (components already
 * using it keep it; later ones get a client built from the config).
 * @example
 * const { client, server } = createTestClient();
 * const unregister = registerClient({ url: '/realtime' }, client);
 */
export function registerClient(config: RealtimeConfig, client: RealtimeClient): () => void {
  return registerIn(pageRegistry, config, client);
}
