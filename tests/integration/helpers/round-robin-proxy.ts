/**
 * A round-robin TCP proxy on 127.0.0.1:0, what a load balancer in front of hub instances does at layer 4:
 * each accepted connection is piped to the next backend; a backend that refuses (its listener closed
 * while it drains) is skipped for the next one. `setBackends` swaps the pool, as when an instance comes
 * back on a new port.
 */
import { connect, createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';

export interface RoundRobinProxy {
  /** The proxy's own port. */
  port: number;
  /** Replace the pool; open connections stay where they are. */
  setBackends(ports: number[]): void;
  /** Connections accepted per backend port so far. */
  accepted(): Map<number, number>;
  /** Stop listening and destroy every piped connection. */
  close(): Promise<void>;
}

/** Start the proxy in front of `backends` (ports on 127.0.0.1). */
export async function startRoundRobinProxy(backends: number[]): Promise<RoundRobinProxy> {
  let pool = [...backends];
  let next = 0;
  const sockets = new Set<Socket>();
  const accepted = new Map<number, number>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const server = createServer((client) => {
    track(client);
    client.on('error', () => client.destroy());
    const tryNext = (left: number) => {
      if (left <= 0 || client.destroyed) return void client.destroy();
      const port = pool[next++ % pool.length]!;
      const upstream = connect(port, '127.0.0.1');
      upstream.once('error', () => tryNext(left - 1));
      upstream.once('connect', () => {
        track(upstream);
        accepted.set(port, (accepted.get(port) ?? 0) + 1);
        upstream.removeAllListeners('error');
        upstream.on('error', () => upstream.destroy());
        upstream.once('close', () => client.destroy());
        client.once('close', () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
      });
    };
    tryNext(pool.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    setBackends(ports) {
      pool = [...ports];
    },
    accepted: () => new Map(accepted),
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
