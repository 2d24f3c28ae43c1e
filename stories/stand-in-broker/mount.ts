import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { attachHub, createNodeHandler } from '@qwik-realtime/server';
import type { UpgradeEmitter } from '@qwik-realtime/server';
import { createControlHandler } from './control-api.js';
import type { StandIn } from './stand-in.js';

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
 * Wire a stand-in to Node: the gate runs before the hub's own handlers. Upgrades reach the hub through a
 * relay emitter given to the hub's `attachHub`, so a refused upgrade never reaches it.
 */
export function mountStandIn(stand: StandIn): StandInMount {
  const hubHttp = createNodeHandler(stand.hub);
  const control = createControlHandler(stand);
  const relay = new EventEmitter();
  // attachHub only needs on/off('upgrade'): a plain emitter lets the gate decide what reaches it.
  const detach = attachHub(relay as unknown as UpgradeEmitter, stand.hub);
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
          if (stand.gate.http(req, res)) hubHttp(req, res, next);
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
    close: detach,
  };
}
