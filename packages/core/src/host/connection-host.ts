import { clientError } from '../errors.js';
import type { RealtimeClient, Subscription } from '../types.js';
import type { HostEndpoint, HostMessage, PortLike, TabMessage } from './messages.js';
import { createOutbox } from './outbox.js';
import type { Outbox } from './outbox.js';

/** Options of {@link createConnectionHost}. */
export interface ConnectionHostOptions {
  /** Build the one client of an endpoint; `getToken` asks a live tab that supplies tokens. */
  createClient(endpoint: HostEndpoint, getToken: (() => Promise<string | null>) | undefined): RealtimeClient;
  /** The host pings every tab this often. @default 1000 */
  pingMs?: number;
  /** A tab silent for this many ping intervals counts as crashed and is released. @default 3 */
  missedPings?: number;
  /** An endpoint's client stays this long after its last tab left, so a navigation reuses it. @default 1000 */
  lingerMs?: number;
  /** Wall clock. @default Date.now */
  now?: () => number;
}

/** The host side of the tab <-> host protocol: one core client per endpoint, shared by every tab. */
export interface ConnectionHost {
  /** Serve one tab (one port per tab and endpoint). */
  accept(port: PortLike): void;
  /** Tabs served right now, per endpoint URL (for tests and debugging). */
  tabs(): Record<string, number>;
  /** Close every client and stop pinging. */
  close(): void;
}

interface TabSub {
  subscription: Subscription | undefined;
  last: number | undefined;
}

interface EndpointEntry {
  key: string;
  client: RealtimeClient;
  tabs: Set<Tab>;
  linger: ReturnType<typeof setTimeout> | undefined;
}

interface Tab {
  port: PortLike;
  endpoint: EndpointEntry | undefined;
  subs: Map<number, TabSub>;
  outbox: Outbox;
  lastSeen: number;
  tokens: boolean;
  tokenWaiters: Map<number, (token: string | null) => void>;
  onMessage: (event: { data: unknown }) => void;
}

const TOKEN_TIMEOUT_MS = 10_000;

/**
 * Create a connection host: the code a `SharedWorker` (or a dedicated `Worker`, or the page itself) runs.
 * Tabs talk to it over ports ({@link TabMessage} / {@link HostMessage}); each endpoint gets one core client,
 * so a browser profile opens one connection per endpoint. Subscriptions are counted per tab and released on
 * `bye` (`pagehide`), on `close`, or when the tab stops answering pings (a crashed tab sends nothing).
 * Messages cross as plain data, one batch at a time: the next batch leaves only after the tab said `ready`
 * (it does so once per animation frame), and a subscription with `last: N` keeps only its newest N meanwhile.
 */
export function createConnectionHost(options: ConnectionHostOptions): ConnectionHost {
  const now = options.now ?? Date.now;
  const pingMs = options.pingMs ?? 1000;
  const silentMs = pingMs * (options.missedPings ?? 3);
  const lingerMs = options.lingerMs ?? 1000;
  const endpoints = new Map<string, EndpointEntry>();
  const tabs = new Set<Tab>();
  let tokenRef = 0;

  const post = (tab: Tab, message: HostMessage) => {
    try {
      tab.port.postMessage(message);
    } catch {
      // A port whose tab is gone may throw; the liveness check releases it.
    }
  };

  const askToken = (entry: EndpointEntry) => (): Promise<string | null> => {
    let best: Tab | undefined;
    for (const tab of entry.tabs) if (tab.tokens && (!best || tab.lastSeen > best.lastSeen)) best = tab;
    if (!best) return Promise.resolve(null);
    const tab = best;
    const ref = ++tokenRef;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        tab.tokenWaiters.delete(ref);
        reject(new Error('@qwik-realtime/core: no token from the tab in time'));
      }, TOKEN_TIMEOUT_MS);
      tab.tokenWaiters.set(ref, (token) => {
        clearTimeout(timer);
        resolve(token);
      });
      post(tab, { type: 'get-token', ref });
    });
  };

  const join = (tab: Tab, endpoint: HostEndpoint) => {
    const key = JSON.stringify([endpoint.url, endpoint.transports ?? null, endpoint.options ?? {}, Boolean(endpoint.tokens)]);
    let entry = endpoints.get(key);
    if (!entry) {
      const created: EndpointEntry = { key, client: undefined as unknown as RealtimeClient, tabs: new Set(), linger: undefined };
      created.client = options.createClient(endpoint, endpoint.tokens ? askToken(created) : undefined);
      created.client.onState((state) => {
        for (const member of created.tabs) post(member, { type: 'state', state });
      });
      endpoints.set(key, created);
      entry = created;
    }
    clearTimeout(entry.linger);
    entry.linger = undefined;
    entry.tabs.add(tab);
    tab.endpoint = entry;
    tab.tokens = Boolean(endpoint.tokens);
    post(tab, { type: 'state', state: entry.client.getState() });
  };

  /** Drop everything of a tab; its port stays usable (a tab back from the back/forward cache says hello again). */
  const release = (tab: Tab) => {
    for (const sub of tab.subs.values()) sub.subscription?.unsubscribe();
    tab.subs.clear();
    tab.outbox.reset();
    for (const resolve of tab.tokenWaiters.values()) resolve(null);
    tab.tokenWaiters.clear();
    const entry = tab.endpoint;
    tab.endpoint = undefined;
    if (!entry) return;
    entry.tabs.delete(tab);
    if (entry.tabs.size) return;
    entry.linger = setTimeout(() => {
      if (entry.tabs.size || endpoints.get(entry.key) !== entry) return;
      endpoints.delete(entry.key);
      entry.client.close();
    }, lingerMs);
  };

  /** A silent tab: release it and stop pinging. Its port stays heard: a tab that was only busy or frozen
   * is told `released` when it speaks again, and subscribes again from its positions. */
  const forget = (tab: Tab) => {
    release(tab);
    tabs.delete(tab);
  };

  const handle = (tab: Tab, message: TabMessage) => {
    const entry = tab.endpoint;
    switch (message.type) {
      case 'hello':
        if (!entry) join(tab, message.endpoint);
        return;
      case 'pong':
        return;
      case 'ready':
        tab.outbox.ready();
        return;
      case 'token':
        tab.tokenWaiters.get(message.ref)?.(message.token);
        tab.tokenWaiters.delete(message.ref);
        return;
      case 'bye':
      case 'close':
        release(tab);
        return;
    }
    if (!entry) return;
    switch (message.type) {
      case 'subscribe': {
        const id = message.sub;
        const sub: TabSub = { subscription: undefined, last: message.last };
        tab.subs.set(id, sub);
        const { outbox } = tab;
        const live = () => tab.subs.get(id) === sub;
        sub.subscription = entry.client.subscribe(message.topic, {
          ...(message.since ? { since: message.since } : {}),
          ...(message.history !== undefined ? { history: message.history } : {}),
          onBatch: (messages) => live() && outbox.messages(id, messages, sub.last),
          onSubscribed: (event) => live() && outbox.event({ sub: id, kind: 'subscribed', event }),
          onError: (error) => live() && outbox.event({ sub: id, kind: 'error', error }),
          onTopicState: (state) => live() && outbox.event({ sub: id, kind: 'topic-state', state }),
          onConflated: (event) => live() && outbox.event({ sub: id, kind: 'conflated', event }),
        });
        return;
      }
      case 'unsubscribe':
        tab.subs.get(message.sub)?.subscription?.unsubscribe();
        tab.subs.delete(message.sub);
        tab.outbox.forget(message.sub);
        return;
      case 'publish': {
        const { ref } = message;
        entry.client.publish(message.topic, message.data, message.id === undefined ? undefined : { id: message.id }).then(
          (ack) => post(tab, { type: 'ack', ref, ack }),
          (error: { code?: string; message?: string }) =>
            post(tab, {
              type: 'nack',
              ref,
              error: error && typeof error.code === 'string' ? clientError(error.code as never, String(error.message), message.topic) : clientError('internal', String(error), message.topic),
            }),
        );
        return;
      }
      case 'connect':
        entry.client.connect();
        return;
    }
  };

  const ping = setInterval(() => {
    const time = now();
    for (const tab of [...tabs]) {
      if (time - tab.lastSeen > silentMs) forget(tab);
      else if (tab.endpoint) post(tab, { type: 'ping' });
    }
  }, pingMs);
  (ping as { unref?: () => void }).unref?.();

  return {
    accept(port) {
      const tab: Tab = {
        port,
        endpoint: undefined,
        subs: new Map(),
        outbox: createOutbox((message) => post(tab, message)),
        lastSeen: now(),
        tokens: false,
        tokenWaiters: new Map(),
        onMessage: (event: { data: unknown }) => {
          tab.lastSeen = now();
          const message = event.data as TabMessage;
          if (!tabs.has(tab)) {
            tabs.add(tab);
            if (message.type !== 'hello' && message.type !== 'bye' && message.type !== 'close') return post(tab, { type: 'released' });
          }
          handle(tab, message);
        },
      };
      tabs.add(tab);
      port.addEventListener('message', tab.onMessage);
      port.start?.();
    },
    tabs() {
      const counts: Record<string, number> = {};
      for (const entry of endpoints.values()) {
        if (!entry.tabs.size) continue;
        const url = (JSON.parse(entry.key) as [string])[0];
        counts[url] = (counts[url] ?? 0) + entry.tabs.size;
      }
      return counts;
    },
    close() {
      clearInterval(ping);
      for (const tab of [...tabs]) {
        forget(tab);
        tab.port.removeEventListener('message', tab.onMessage);
        tab.port.close();
      }
      for (const entry of endpoints.values()) {
        clearTimeout(entry.linger);
        entry.client.close();
      }
      endpoints.clear();
    },
  };
}
