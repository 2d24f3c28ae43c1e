import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mountStandIn } from './mount.js';
import { createStandIn } from './stand-in.js';
import type { StandIn, StandInOptions } from './stand-in.js';
import { createStaticHandler } from './static-files.js';

/** Options of {@link startStandInServer}. */
export interface StandInServerOptions extends StandInOptions {
  /** Port; 0 picks a free one. @default 0 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Directory to serve beside the hub (a static Storybook build). */
  staticDir?: string;
}

/** A running standalone stand-in broker. */
export interface StandInServer {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  readonly stand: StandIn;
  readonly server: Server;
  /** Close every connection and the server. */
  close(): Promise<void>;
}

/**
 * Run the stand-in broker on its own HTTP server, optionally serving a static Storybook build on the same
 * origin (so the stories reach `/realtime` and `/realtime-control` exactly as under `storybook dev`).
 * @example
 * const { url, close } = await startStandInServer({ port: 0, staticDir: 'storybook-static' });
 */
export async function startStandInServer(options: StandInServerOptions = {}): Promise<StandInServer> {
  const stand = createStandIn(options);
  const mount = mountStandIn(stand);
  const serveStatic = options.staticDir ? createStaticHandler(options.staticDir) : undefined;
  const server = createServer((req, res) => {
    mount.http(req, res, () => {
      // Storybook ships favicon.svg only; answer the browser's automatic /favicon.ico without an error.
      const notFound = () =>
        req.url === '/favicon.ico' ? res.writeHead(204).end() : res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      if (!serveStatic) return notFound();
      serveStatic(req, res).then((served) => served || notFound(), () => res.destroyed || res.destroy());
    });
  });
  server.on('upgrade', (req, socket, head) => {
    mount.upgrade(req, socket, head);
    // Anything the stand-in did not take (another path) gets no answer otherwise.
    if (!req.url?.split('?', 1)[0]?.endsWith('/ws')) socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    stand,
    server,
    async close() {
      mount.close();
      await stand.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
