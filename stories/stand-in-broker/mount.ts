import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { realtimeVitePlugin } from '@qwik-realtime/server/vite';
import type { ViteServerLike } from '@qwik-realtime/server/vite';
import { createControlHandler } from './control-api.js';
import type { StandIn } from './stand-in.js';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/** The stand-in broker as Node handlers: the hub behind the fault gate, plus the control API. */
export interface StandInMount {
  /** Connect-style handler: control API, then the hub; anything else goes to `next` (or 404). */
  http(req: IncomingMessage, res: ServerResponse, next?: () => void): void;
  /** `upgrade` listener: hands `/realtime/ws` to the hub unless the gate refuses it; ignores other paths. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Detach the hub's WebSocket handling. */
  close(): void;
}

/**
 * Wire a stand-in to Node through the hub's own Vite plugin (`realtimeVitePlugin({ hub })`), mounted on an
 * "edge" that puts the fault gate in front of it: the plugin's middleware is called only for requests the
 * gate lets through, and its upgrade listener sits on a relay the gate feeds. The same mount serves
 * `storybook dev` and the standalone server.
 */
export function mountStandIn(stand: StandIn): StandInMount {
  const control = createControlHandler(stand);
  const relay = new EventEmitter();
  const middlewares: Middleware[] = [];
  const edge: ViteServerLike = {
    middlewares: { use: (handler: Middleware) => middlewares.push(handler) },
    // The plugin only needs on/off('upgrade') and once('close') of this "server".
    httpServer: relay as unknown as ViteServerLike['httpServer'],
    config: { server: {} },
  };
  realtimeVitePlugin({ hub: stand.hub }).configureServer(edge);
  const hubHttp = middlewares[0];
  if (!hubHttp) throw new Error('@qwik-realtime/stories: the hub plugin mounted no middleware');
  const mount = stand.hub.options.path;
  return {
    http(req, res, next) {
      control(req, res)
        .then((handled) => {
          if (handled) return;
          const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
          if (!path.startsWith(`${mount}/`)) {
            if (next) return next();
            res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
            return;
          }
          if (stand.gate.http(req, res)) hubHttp(req, res, () => res.writeHead(404).end());
        })
        .catch(() => {
          if (!res.headersSent) res.writeHead(500).end();
        });
    },
    upgrade(req, socket, head) {
      const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
      if (path !== `${mount}/ws`) return;
      if (stand.gate.upgrade(req, socket)) relay.emit('upgrade', req, socket, head);
    },
    close: () => relay.emit('close'),
  };
}
