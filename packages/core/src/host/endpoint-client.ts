import { createClientWith } from '../client.js';
import type { BaseClientOptions } from '../client.js';
import { createPublisher } from '../publish.js';
import type { Transport } from '../transport.js';
import type { RealtimeClient } from '../types.js';
import type { HostEndpoint } from './messages.js';

/** How a connection host builds the core client of an endpoint (see `ConnectionHostOptions.createClient`). */
export type EndpointClientFactory = (endpoint: HostEndpoint, getToken: (() => Promise<string | null>) | undefined) => RealtimeClient;

/**
 * The core client factory of a connection host that can run `transports` (values: whoever composes the
 * host decides what is bundled). An endpoint names the ones it wants, in order; naming one the host does not
 * have throws. With no names, every given transport is tried in the given order.
 * @example
 * createConnectionHost({ createClient: endpointClients([eventSourceTransport()]) });
 */
export function endpointClients(transports: readonly Transport[]): EndpointClientFactory {
  return (endpoint, getToken) => {
    const chain = (endpoint.transports ?? transports.map((transport) => transport.name)).map((name) => {
      const transport = transports.find((candidate) => candidate.name === name);
      if (!transport) throw new Error(`@qwik-realtime/core: this host has no ${name} transport`);
      return transport;
    });
    // Publishing imported statically: a worker is bundled as one file (Vite's default IIFE cannot split).
    return createClientWith(
      {
        ...(endpoint.options as Partial<BaseClientOptions>),
        url: endpoint.url,
        transports: chain,
        ...(getToken ? { getToken } : {}),
      },
      () => Promise.resolve({ createPublisher }),
    );
  };
}
