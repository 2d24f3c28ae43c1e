import type { Transport } from '../transport.js';
import type { RealtimeClient } from '../types.js';
import { createConnectionHost } from './connection-host.js';
import { endpointClients } from './endpoint-client.js';
import type { PortLike } from './messages.js';
import { createTabClient } from './tab-client.js';

/** Where the connection runs. `auto`: a `SharedWorker`, else a dedicated `Worker`, else the page. */
export type HostKind = 'auto' | 'shared-worker' | 'worker' | 'main';

/** Options of {@link createWorkerClient}. */
export interface WorkerClientOptions {
  /** Hub mount URL; relative URLs are resolved against the page. */
  url: string;
  /**
   * Transports to try, in order, as values (`webSocketTransport()`, ...). Only their names cross to the
   * worker, which has every core transport; where no worker runs, the page runs these values itself, so the
   * page bundles only what it names.
   */
  transports: readonly Transport[];
  /** Plain-data options of the host's core client (`teardownDelayMs`, `backoff`, `connectTimeoutMs`, ...). */
  options?: Record<string, unknown>;
  /** This tab's token source (the connection host asks a live tab). Cookies work as they do on the page. */
  getToken?: () => string | null | undefined | Promise<string | null | undefined>;
  /** @default 'auto' */
  host?: HostKind;
  /**
   * Start your own worker instead of the library's (an entry calling `serveConnectionHost` with the
   * transports you use) and return its port; `undefined` runs the host in the page.
   * @example
   * spawn: () => new SharedWorker(new URL('./realtime-worker.ts', import.meta.url), { type: 'module' }).port
   */
  spawn?: () => PortLike | undefined;
  /** Runs a batch's delivery; see `createTabClient`. @default requestAnimationFrame */
  scheduleFrame?: (deliver: () => void) => void;
}

const WORKER_NAME = '@qwik-realtime/host';

/**
 * The worker is spawned from the library's own build (`dist/host/worker.js`, next to this module), so Vite
 * and other bundlers that understand `new URL(..., import.meta.url)` emit it with no app config, under the
 * app's base path. Kept as literal `new SharedWorker(new URL(...))` expressions: bundlers match that shape.
 */
function spawnPort(kind: HostKind): PortLike | undefined {
  const g = globalThis as { SharedWorker?: typeof SharedWorker; Worker?: typeof Worker };
  if ((kind === 'auto' || kind === 'shared-worker') && typeof g.SharedWorker === 'function') {
    try {
      const worker = new SharedWorker(new URL('./worker.js', import.meta.url), { type: 'module', name: WORKER_NAME });
      return worker.port;
    } catch {
      // Not allowed here (CSP, sandboxed iframe, opaque origin): try the next kind.
    }
  }
  if ((kind === 'auto' || kind === 'worker') && typeof g.Worker === 'function') {
    try {
      const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: WORKER_NAME });
      return {
        postMessage: (message) => worker.postMessage(message),
        addEventListener: (type, listener) => worker.addEventListener(type, listener),
        removeEventListener: (type, listener) => worker.removeEventListener(type, listener),
        close: () => worker.terminate(),
      };
    } catch {
      // Falls back to the page.
    }
  }
  return undefined;
}

/**
 * Create a client whose connection runs off the main thread, shared by every tab of the browser profile:
 * one connection per endpoint, subscriptions counted per tab, messages delivered once per animation frame.
 * Same {@link RealtimeClient} interface as `createClient`. With `host: 'main'` (or where workers are not
 * allowed) the same host runs in the page.
 * @example
 * const client = createWorkerClient({ url: '/realtime', transports: [webSocketTransport(), eventSourceTransport()] });
 * client.subscribe('prices', { last: 50, onBatch: (messages) => render(messages) } as HostSubscribeOptions);
 */
export function createWorkerClient(options: WorkerClientOptions): RealtimeClient {
  const base = (globalThis as { location?: { href: string } }).location?.href;
  const url = base ? new URL(options.url, base).href : options.url;
  const endpoint = {
    url,
    transports: options.transports.map((transport) => transport.name),
    ...(options.options ? { options: options.options } : {}),
  };
  const kind = options.host ?? 'auto';
  let port = kind === 'main' ? undefined : options.spawn ? options.spawn() : spawnPort(kind);
  let host: ReturnType<typeof createConnectionHost> | undefined;
  if (!port) {
    const channel = new MessageChannel();
    host = createConnectionHost({ createClient: endpointClients(options.transports), lingerMs: 0 });
    host.accept(channel.port1);
    port = channel.port2;
  }
  const client = createTabClient({
    port,
    endpoint,
    ...(options.getToken ? { getToken: options.getToken } : {}),
    ...(options.scheduleFrame ? { scheduleFrame: options.scheduleFrame } : {}),
  });
  if (!host) return client;
  const local = host;
  return { ...client, close: () => (client.close(), local.close()) };
}
