/**
 * A hostile or broken stand-in for the hub, for the core client's hardening tests: a `node:http` server
 * with a `ws` server on 127.0.0.1:0 that answers each connection attempt as the test scripts it (absurd
 * durations, frames the client cannot take, streams that never end a line). It speaks just enough of
 * docs/protocol.md for a client to open; extend it by adding a script, never by importing hub code.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { Platform, TransportName } from '@qwik-realtime/core';
import { nodePlatform } from './client-fixtures.js';

/** What a scripted attempt may answer, per transport family. */
export interface HostileScript {
  /** A WebSocket attempt (`n` counts attempts from 1; `req` is the upgrade request). */
  ws?(socket: WebSocket, n: number, req: IncomingMessage): void;
  /** An SSE request (native or fetch): write to `res` and leave it open or end it. */
  sse?(res: ServerResponse, n: number, req: IncomingMessage): void;
  /** A long-poll request; `first` is true for the first poll of a session (`timeout=0`). */
  poll?(res: ServerResponse, n: number, first: boolean): void;
}

export interface HostileServer {
  /** `http://127.0.0.1:PORT/realtime` */
  url: string;
  /** Connection attempts so far (WebSocket connections, event-stream requests, first polls). */
  attempts(): number;
  close(): Promise<void>;
}

/** Start a scripted server; requests its script does not cover are held open until `close()`. */
export async function startHostileServer(script: HostileScript): Promise<HostileServer> {
  let attempts = 0;
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?', 1)[0];
    if (path === '/realtime/sse' && script.sse) {
      // The native transport's status probe after a refusal is a plain fetch, not another attempt.
      const stream = /text\/event-stream/.test(req.headers.accept ?? '');
      return script.sse(res, stream ? ++attempts : attempts, req);
    }
    if (path === '/realtime/poll' && script.poll) {
      const first = /[?&]timeout=0(&|$)/.test(req.url ?? '');
      return script.poll(res, first ? ++attempts : attempts, first);
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket, req) => script.ws?.(socket, ++attempts, req));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/realtime`,
    attempts: () => attempts,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The transport families a scripted answer is written for. */
export const familyOf = (name: TransportName): 'ws' | 'sse' | 'poll' => (name === 'websocket' ? 'ws' : name === 'long-poll' ? 'poll' : 'sse');

/** The first frame of a session, with the given (possibly absurd) `heartbeatMs`. */
export const helloFrame = (heartbeatMs: unknown = 15_000) => ({ type: 'hello', connectionId: 'hostile', heartbeatMs, protocol: 1 });

/** `subscribed` for `topic` at offset 0 of epoch `e`. */
export const subscribedFrame = (topic: string, offset = 0) => ({ type: 'subscribed', topic, recovered: true, position: { offset, epoch: 'e' }, replayed: 0 });

/** A message envelope on `topic` (any field may be overridden with something hostile). */
export const envelope = (topic: string, offset: number, extra: Record<string, unknown> = {}) => ({ topic, id: `m${offset}`, offset, epoch: 'e', timestamp: 1, data: `d${offset}`, ...extra });

/** Open an SSE answer and write `events` (`[name, data]`, name undefined for a message) to it. */
export function sseEvents(res: ServerResponse, events: [string | undefined, unknown][]): void {
  if (!res.headersSent) res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
  for (const [name, data] of events) res.write(`${name ? `event: ${name}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
}

/** Answer an HTTP request with `status` and a JSON (or raw string) body. */
export function jsonAnswer(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/** Node's platform with randomness pinned to 0.5 and every timer delay the client asks for recorded in `delays`. */
export function recordingPlatform(): { platform: Platform; delays: number[] } {
  const delays: number[] = [];
  const platform: Platform = {
    ...nodePlatform,
    random: () => 0.5,
    setTimeout: (callback, ms) => {
      delays.push(ms);
      return setTimeout(callback, ms);
    },
  };
  return { platform, delays };
}

/** The topics a client named in its WebSocket upgrade URL (`req.url`): subscribes, as frames are. */
export const urlTopics = (url: string | undefined): string[] => new URL(url ?? '', 'http://x').searchParams.getAll('topic');

/** Close what a test opened — the client first, then the stand-in and the hub — for an `afterEach`. */
export async function closeOpened(opened: { client?: { close(): void }; server?: { close(): Promise<void> }; hub?: { close(): Promise<void> } }): Promise<void> {
  opened.client?.close();
  await opened.server?.close();
  await opened.hub?.close();
}
