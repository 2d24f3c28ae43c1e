import { createBaseClient } from '../client.js';
import type { BaseClientOptions } from '../client.js';
import type { Transport } from '../transport.js';
import { eventSourceTransport } from '../transports/event-source.js';
import { fetchSseTransport } from '../transports/fetch-sse.js';
import { longPollTransport } from '../transports/long-poll.js';
import { webSocketTransport } from '../transports/websocket.js';
import type { RealtimeClient, TransportName } from '../types.js';
import type { HostEndpoint } from './messages.js';

const TRANSPORTS: Record<TransportName, () => Transport> = {
  websocket: () => webSocketTransport(),
  sse: () => eventSourceTransport(),
  'fetch-sse': () => fetchSseTransport(),
  'long-poll': () => longPollTransport(),
};

/** The core client a connection host builds for an endpoint (transports by name, options as data). */
export function clientForEndpoint(endpoint: HostEndpoint, getToken: (() => Promise<string | null>) | undefined): RealtimeClient {
  const names = endpoint.transports ?? ['websocket', 'sse', 'long-poll'];
  for (const name of names) if (!(name in TRANSPORTS)) throw new Error(`@qwik-realtime/core: unknown transport ${JSON.stringify(name)}`);
  return createBaseClient({
    ...(endpoint.options as Partial<BaseClientOptions>),
    url: endpoint.url,
    transports: names.map((name) => TRANSPORTS[name]()),
    ...(getToken ? { getToken } : {}),
  });
}
