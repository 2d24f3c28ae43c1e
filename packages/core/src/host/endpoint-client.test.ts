import { describe, expect, it, vi } from 'vitest';
import type { Transport, TransportSession } from '../transport.js';
import type { TransportName } from '../types.js';
import { endpointClients } from './endpoint-client.js';

/** A transport that records its attempts and never opens. */
function fakeTransport(name: TransportName) {
  const session: TransportSession = { subscribe: () => true, unsubscribe: () => undefined, close: () => undefined };
  const connect = vi.fn(() => session);
  const transport: Transport = { name, connect };
  return { transport, connect };
}

describe('endpointClients: a host builds clients only from the transport values it was given', () => {
  it('GIVEN an endpoint naming sse THEN its client connects with the given sse value, not the first one', async () => {
    const ws = fakeTransport('websocket');
    const sse = fakeTransport('sse');
    const client = endpointClients([ws.transport, sse.transport])({ url: 'http://example.test/realtime', transports: ['sse'] }, undefined);
    client.subscribe('news', {});
    await vi.waitFor(() => expect(sse.connect).toHaveBeenCalledTimes(1));
    expect(ws.connect).not.toHaveBeenCalled();
    client.close();
  });

  it('GIVEN an endpoint naming no transports THEN every given one is the chain, in the given order', async () => {
    const poll = fakeTransport('long-poll');
    const sse = fakeTransport('sse');
    const client = endpointClients([poll.transport, sse.transport])({ url: 'http://example.test/realtime' }, undefined);
    client.subscribe('news', {});
    await vi.waitFor(() => expect(poll.connect).toHaveBeenCalledTimes(1));
    expect(sse.connect).not.toHaveBeenCalled();
    client.close();
  });

  it('GIVEN an endpoint naming a transport the host lacks THEN building its client throws, naming it', () => {
    const create = endpointClients([fakeTransport('sse').transport]);
    expect(() => create({ url: 'http://example.test/realtime', transports: ['websocket'] }, undefined)).toThrow(/no websocket transport/);
  });
});
