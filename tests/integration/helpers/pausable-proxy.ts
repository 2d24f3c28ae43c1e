/**
 * A TCP proxy on 127.0.0.1:0 in front of one port whose server-to-client direction can be paused: a slow
 * reader (a busy browser tab) as the server sees it. While paused, the proxy stops reading from the server,
 * so the kernel buffers fill and then the hub's own send buffer does.
 */
import { connect, createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';

export interface PausableProxy {
  port: number;
  /** Stop reading what the server sends (on every connection, current and future). */
  pause(): void;
  /** Read again. */
  resume(): void;
  close(): Promise<void>;
}

/** Start the proxy in front of `target` (a port on 127.0.0.1). */
export async function startPausableProxy(target: number): Promise<PausableProxy> {
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  let paused = false;
  const server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    const pair = { client, upstream };
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    if (!paused) upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    pause() {
      paused = true;
      for (const { client, upstream } of pairs) {
        upstream.unpipe(client);
        upstream.pause();
      }
    },
    resume() {
      paused = false;
      for (const { client, upstream } of pairs) upstream.pipe(client);
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
      await closed;
    },
  };
}
