import WebSocket from 'ws';
import { createCollector } from './collector.js';
import type { Collector } from './collector.js';

/** A `ws` client collecting parsed server frames. */
export interface WsClient {
  socket: WebSocket;
  frames: Collector<any>;
  /** Resolves with the close code and reason. */
  closed: Promise<{ code: number; reason: string }>;
  send(frame: unknown): void;
  close(): void;
}

/** Connect with the `ws` package; resolves once open (rejects on a refused upgrade with its status). */
export function openWs(url: string, options: WebSocket.ClientOptions = {}): Promise<WsClient> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    const frames = createCollector<any>(`ws ${url}`);
    const closed = new Promise<{ code: number; reason: string }>((done) => socket.on('close', (code, reason) => done({ code, reason: reason.toString() })));
    socket.on('message', (data) => frames.push(JSON.parse(String(data))));
    socket.on('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })));
    socket.on('error', reject);
    socket.on('open', () =>
      resolve({
        socket,
        frames,
        closed,
        send: (frame) => socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
        close: () => socket.close(),
      }),
    );
  });
}
