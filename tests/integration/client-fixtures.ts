/**
 * Fixtures for the core client's integration tests (`client-*.test.ts`): a hub on 127.0.0.1 whose sockets
 * can be cut (a real network loss, for every transport, long-poll included) and which can be restarted on
 * the same port with a fresh memory broker (new epoch), plus the four transports wired to Node's
 * `ws` / `eventsource` / global fetch.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { EventSource } from 'eventsource';
import { WebSocket } from 'ws';
import { createBaseClient, eventSourceTransport, fetchSseTransport, longPollTransport, webSocketTransport } from '@qwik-realtime/core';
import type { BaseClientOptions, Platform, RealtimeClient, Transport, TransportName } from '@qwik-realtime/core';
import { attachHub, createHub, createNodeHandler } from '@qwik-realtime/server';
import type { Hub, HubOptions, Principal } from '@qwik-realtime/server';

/** Node platform seams: no globals needed besides fetch. */
export const nodePlatform: Platform = {
  WebSocket: WebSocket as unknown as Platform['WebSocket'],
  EventSource: EventSource as unknown as Platform['EventSource'],
  fetch: globalThis.fetch,
  network: null,
  visibility: null,
};

/** The four transports by name (native SSE sends the token as `?token=`, the hub opts in when needed). */
export const transportsByName: Record<TransportName, () => Transport> = {
  websocket: () => webSocketTransport(),
  sse: () => eventSourceTransport({ tokenParam: 'token' }),
  'fetch-sse': () => fetchSseTransport(),
  'long-poll': () => longPollTransport(),
};

export const transportNames = Object.keys(transportsByName) as TransportName[];

/** A hub behind a Node HTTP server that tracks its sockets. */
/** Client timings short enough for tests: reconnects and teardowns in tens of milliseconds. */
export const fastClientOptions = { backoff: { baseMs: 20, capMs: 100 }, minUptimeMs: 50, teardownDelayMs: 0 } satisfies Partial<BaseClientOptions>;

/** A real core client over one named transport, with {@link fastClientOptions} (overridable by `extra`). */
export function fastClient(name: TransportName, url: string, extra: Partial<BaseClientOptions> = {}): RealtimeClient {
  return createBaseClient({ url, transports: [transportsByName[name]()], platform: nodePlatform, ...fastClientOptions, ...extra });
}

export interface ClientTestHub {
  hub: Hub<Principal>;
  /** `http://127.0.0.1:PORT/realtime` */
  url: string;
  port: number;
  /** Destroy every open socket (what a network loss looks like to both ends). Returns how many. */
  cut(): number;
  /** Stop and start again on the same port with a fresh memory broker (new epoch). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** Start a hub on 127.0.0.1:0 (`websocket: false` leaves upgrades unanswered, i.e. refused). */
export async function startClientHub(
  options: HubOptions<Principal> & { websocket?: boolean; files?: Record<string, { type: string; body: string }> } = {},
): Promise<ClientTestHub> {
  const { websocket = true, files = {}, ...hubOptions } = options;
  const sockets = new Set<Socket>();
  let server: Server;
  let detach: () => void = () => undefined;
  let port = 0;
  const result = {} as ClientTestHub;
  const start = async () => {
    const hub = createHub<Principal>({ onError: () => undefined, ...hubOptions });
    const handler = createNodeHandler(hub);
    // Static files (a test page and its script) on the hub's own origin.
    server = createServer((req, res) => {
      const file = files[req.url ?? ''];
      if (!file) return handler(req, res);
      res.writeHead(200, { 'content-type': file.type });
      res.end(file.body);
    });
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    if (websocket) detach = attachHub(server, hub);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    Object.assign(result, { hub, port, url: `http://127.0.0.1:${port}${hub.options.path}` });
  };
  const stop = async () => {
    await result.hub.close();
    detach();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  await start();
  result.cut = () => {
    const n = sockets.size;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    return n;
  };
  result.restart = async () => {
    await stop();
    await start();
  };
  result.close = stop;
  return result;
}

/** Resolve when `check()` is true, polling every few ms; fails with `what` after `ms`. */
export async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
