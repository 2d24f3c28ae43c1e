/**
 * Entry of the connection host worker (`dist/host/worker.js`), a separate asset the page loads only when
 * it uses `createWorkerClient`. As a `SharedWorker` it serves every tab of the browser profile (one port per
 * tab and endpoint); as a dedicated `Worker` it serves its one page through the worker scope itself. Tabs
 * name the transports they want; the worker holds every core transport because tabs with different
 * chains share it (it is never part of a page's bundle).
 */
import { eventSourceTransport } from '../transports/event-source.js';
import { fetchSseTransport } from '../transports/fetch-sse.js';
import { longPollTransport } from '../transports/long-poll.js';
import { webSocketTransport } from '../transports/websocket.js';
import { createConnectionHost } from './connection-host.js';
import { endpointClients } from './endpoint-client.js';
import type { PortLike } from './messages.js';

const scope = globalThis as unknown as PortLike & { onconnect?: unknown; addEventListener(type: string, listener: (event: { ports?: readonly PortLike[]; data: unknown }) => void): void };
const host = createConnectionHost({
  createClient: endpointClients([webSocketTransport(), eventSourceTransport(), fetchSseTransport(), longPollTransport()]),
});

if ('onconnect' in scope) {
  scope.addEventListener('connect', (event) => {
    const port = event.ports?.[0];
    if (port) host.accept(port);
  });
} else {
  // A dedicated worker's scope posts to and receives from its page; it must not close itself with the tab's client.
  host.accept({
    postMessage: (message) => scope.postMessage(message),
    addEventListener: (type, listener) => scope.addEventListener(type, listener),
    removeEventListener: (type, listener) => scope.removeEventListener(type, listener),
    close: () => undefined,
  });
}
