import type { Transport } from '../transport.js';
import { createConnectionHost } from './connection-host.js';
import type { ConnectionHost } from './connection-host.js';
import { endpointClients } from './endpoint-client.js';
import type { PortLike } from './messages.js';

type WorkerScope = PortLike & { onconnect?: unknown; addEventListener(type: string, listener: (event: { ports?: readonly PortLike[]; data: unknown }) => void): void };

/**
 * Run a connection host in this worker with `transports` (values: the worker bundles only these). As a
 * `SharedWorker` it serves every tab of the browser profile (one port per tab and endpoint); as a dedicated
 * `Worker` it serves its one page through the worker scope itself. The library's own worker
 * (`dist/host/worker.js`) is this with every core transport; an app that wants a smaller worker writes its
 * own entry and passes it as `createWorkerClient`'s `spawn`.
 * @example
 * // realtime-worker.ts
 * serveConnectionHost([eventSourceTransport()]);
 */
export function serveConnectionHost(transports: readonly Transport[], scope: unknown = globalThis): ConnectionHost {
  const self = scope as WorkerScope;
  const host = createConnectionHost({ createClient: endpointClients(transports) });
  if ('onconnect' in self) {
    self.addEventListener('connect', (event) => {
      const port = event.ports?.[0];
      if (port) host.accept(port);
    });
  } else {
    // A dedicated worker's scope posts to and receives from its page; it must not close itself with the tab's client.
    host.accept({
      postMessage: (message) => self.postMessage(message),
      addEventListener: (type, listener) => self.addEventListener(type, listener),
      removeEventListener: (type, listener) => self.removeEventListener(type, listener),
      close: () => undefined,
    });
  }
  return host;
}
