import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { attachHub, createHub, createNodeHandler } from '@qwik-realtime/server';
import type { Hub, HubOptions, Principal } from '@qwik-realtime/server';

/** A hub served on 127.0.0.1 on a free port. */
export interface TestHubServer<P extends Principal = Principal> {
  hub: Hub<P>;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** `http://127.0.0.1:PORT/realtime` (the mount path) */
  base: string;
  /** `ws://127.0.0.1:PORT/realtime/ws` */
  wsUrl: string;
  port: number;
  /** Close the hub, every connection and the HTTP server. */
  close(): Promise<void>;
}

/**
 * Start `createHub(options)` behind `createNodeHandler` + `attachHub` on `127.0.0.1:0`.
 * @example
 * const server = await startHubServer({ heartbeatMs: 1000 });
 * afterEach(() => server.close());
 */
export async function startHubServer<P extends Principal = Principal>(options: HubOptions<P> = {}): Promise<TestHubServer<P>> {
  const hub = createHub<P>({ onError: () => undefined, ...options });
  const server = createServer(createNodeHandler(hub));
  const detach = attachHub(server, hub, { refuseOtherUpgrades: true });
  // Upgraded sockets leave the HTTP server's bookkeeping: track every socket to close the server for sure.
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const path = hub.options.path;
  return {
    hub,
    origin,
    base: `${origin}${path}`,
    wsUrl: `ws://127.0.0.1:${port}${path}/ws`,
    port,
    async close() {
      await hub.close();
      detach();
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
