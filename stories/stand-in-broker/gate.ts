import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** Connection-level faults, applied in front of the hub's handlers. */
export interface GateFaults {
  /** Answer every WebSocket upgrade with 503 (the client falls back to SSE / long-poll). */
  refuseWebSocket: boolean;
  /** Keep connections open but send nothing: no data, no heartbeat (a silent or hung server). */
  silent: boolean;
  /** Answer every request and upgrade with 503 `server_shutdown` (the server is "down"). */
  down: boolean;
}

/** Open connections the gate has seen, by transport. */
export interface GateCounts {
  sse: number;
  ws: number;
  poll: number;
}

/**
 * What sits between Node's server and the hub: counts connections, refuses WebSocket upgrades, plays a
 * down or silent server. It wraps the response/socket write functions rather than the hub, so it works the
 * same in front of any transport and needs nothing from the hub.
 */
export interface Gate {
  readonly faults: Readonly<GateFaults>;
  setFaults(next: Partial<GateFaults>): void;
  counts(): GateCounts;
  /** Counters for the control API. */
  stats(): { wsRefused: number; silenced: number };
  /** Run before the hub's HTTP handler; returns false when the gate already answered. */
  http(req: IncomingMessage, res: ServerResponse): boolean;
  /** Run before the hub's upgrade handler; returns false when the gate already answered. */
  upgrade(req: IncomingMessage, socket: Duplex): boolean;
}

/** The part of a response or socket the gate wraps. */
interface Writable {
  write: (...args: unknown[]) => boolean;
  destroy(): void;
}

const UNAVAILABLE = JSON.stringify({ code: 'server_shutdown', message: '@qwik-realtime/stories: the stand-in server is down' });

/** Create the connection gate of the stand-in broker (see {@link Gate}). */
export function createGate(mountPath: string): Gate {
  const faults: GateFaults = { refuseWebSocket: false, silent: false, down: false };
  const counts: GateCounts = { sse: 0, ws: 0, poll: 0 };
  let wsRefused = 0;
  /** Connections that were muted: destroyed when the silence ends, since their streams are now broken. */
  const muted = new Set<{ destroy(): void }>();
  let silenced = 0;

  const track = (kind: keyof GateCounts, emitter: { once(event: 'close', fn: () => void): unknown }) => {
    counts[kind]++;
    emitter.once('close', () => counts[kind]--);
  };

  const mute = (target: Writable) => {
    const write = target.write.bind(target);
    target.write = (...args: unknown[]) => {
      if (!faults.silent) return write(...args);
      if (!muted.has(target)) silenced++;
      muted.add(target);
      const callback = args.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    };
  };

  const kindOf = (url: string | undefined): keyof GateCounts | undefined => {
    const path = new URL(url ?? '/', 'http://x').pathname;
    if (path === `${mountPath}/sse`) return 'sse';
    if (path === `${mountPath}/poll`) return 'poll';
    if (path === `${mountPath}/ws`) return 'ws';
    return undefined;
  };

  return {
    get faults() {
      return faults;
    },
    setFaults(next) {
      const wasSilent = faults.silent;
      Object.assign(faults, next);
      if (wasSilent && !faults.silent) {
        for (const target of muted) target.destroy();
        muted.clear();
      }
    },
    counts: () => ({ ...counts }),
    stats: () => ({ wsRefused, silenced }),
    http(req, res) {
      if (faults.down) {
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1', 'cache-control': 'no-cache' });
        res.end(UNAVAILABLE);
        return false;
      }
      const kind = kindOf(req.url);
      if (kind === 'sse' || kind === 'poll') {
        track(kind, res);
        mute(res as unknown as Writable);
      }
      return true;
    },
    upgrade(req, socket) {
      if (kindOf(req.url) !== 'ws') return true;
      if (faults.down || faults.refuseWebSocket) {
        if (faults.refuseWebSocket) wsRefused++;
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return false;
      }
      track('ws', socket);
      mute(socket as unknown as Writable);
      return true;
    },
  };
}
