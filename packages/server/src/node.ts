import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Principal } from './auth.js';
import { nodeExchange, originalUrl } from './exchange.js';
import { createWebSocketUpgrade } from './handlers/websocket.js';
import type { Hub } from './hub.js';
import { contextOf } from './hub-context.js';
import { toRealtimeError } from './errors.js';
import { endpointOf, serveHttp } from './router.js';
import type { Endpoint } from './router.js';

/** A Node/Connect-style request handler; `next` is called for paths outside the hub. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;

/**
 * Serve `GET {path}/sse`, `GET {path}/poll` and `POST {path}/publish` from a Node HTTP server, Express or
 * Connect (Vite). Other paths go to `next`, or get a 404 without it.
 * @example
 * const server = http.createServer(createNodeHandler(hub));
 * attachHub(server, hub);
 * server.listen(8787);
 */
export function createNodeHandler<P extends Principal>(hub: Hub<P>): NodeHandler {
  const ctx = contextOf<P>(hub);
  // Total: whatever the request (bad Host, bad target, odd method), it gets an answer and nothing throws
  // out of the handler, which would take the whole process down from inside Node's request event.
  const fail = (res: ServerResponse, error: unknown) => {
    const realtime = toRealtimeError(error);
    if (realtime.code === 'internal') ctx.options.onError(error);
    try {
      if (res.headersSent) return void res.destroy();
      const body = JSON.stringify(realtime.toBody());
      res.writeHead(realtime.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) }).end(body);
    } catch (writeError) {
      ctx.options.onError(writeError);
      res.destroy();
    }
  };
  return (req, res, next) => {
    let endpoint: Endpoint | undefined;
    try {
      const pathname = originalUrl(req).split('?', 1)[0] ?? '/';
      endpoint = endpointOf(ctx.options.path, pathname);
      if (!endpoint) {
        if (next) return next();
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      serveHttp(ctx, endpoint, nodeExchange(req, res, ctx.options.slowConsumerMs)).catch((error) => fail(res, error));
    } catch (error) {
      fail(res, error);
    }
  };
}

/** Listener of Node's `upgrade` event. */
export type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** Something that emits Node `upgrade` events (an `http.Server`, Vite's or Storybook's server, ...). */
export interface UpgradeEmitter {
  on(event: 'upgrade', listener: UpgradeListener): unknown;
  off(event: 'upgrade', listener: UpgradeListener): unknown;
}

/** Options of {@link attachHub}. */
export interface AttachHubOptions {
  /**
   * Answer `404` to upgrades on other paths. Only for a server that has no other WebSocket users (the
   * standalone server); otherwise leave them to their own listeners (Vite's HMR socket). @default false
   */
  refuseOtherUpgrades?: boolean;
}

/**
 * Serve WebSocket upgrades on `{path}/ws` of `server`; other upgrades (Vite's HMR socket) are left alone.
 * Returns a function that detaches the listener.
 * @example
 * const server = http.createServer(createNodeHandler(hub));
 * attachHub(server, hub);
 */
export function attachHub<P extends Principal>(server: UpgradeEmitter, hub: Hub<P>, attachOptions: AttachHubOptions = {}): () => void {
  const ctx = contextOf<P>(hub);
  const upgrades = createWebSocketUpgrade(ctx);
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    try {
      const pathname = (req.url ?? '/').split('?', 1)[0] ?? '/';
      if (endpointOf(ctx.options.path, pathname) !== 'ws') {
        if (attachOptions.refuseOtherUpgrades) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      upgrades.upgrade(req, socket, head).catch((error) => upgrades.refuse(socket, error));
    } catch (error) {
      upgrades.refuse(socket, error);
    }
  };
  server.on('upgrade', onUpgrade);
  return () => {
    server.off('upgrade', onUpgrade);
    upgrades.close();
  };
}
