import type { Duplex } from 'node:stream';
import { CLOSE_CODES } from '@qwik-realtime/core/protocol';
import type { ErrorBody, ServerFrame } from '@qwik-realtime/core/protocol';
import type { WebSocket } from 'ws';
import type { SessionOutput } from './session.js';
import { afterWrite, createSocketProgress, progressOf } from './socket-progress.js';
import type { ProgressSocket, SocketProgress } from './socket-progress.js';
import { concatRun, createTickWriter } from './tick-writer.js';
import type { JoinRun, TickWriter } from './tick-writer.js';
import type { RealtimeError } from './errors.js';
import type { Outbound } from './outbound.js';
import { wsBatchFrames, wsTextFrame } from './ws-frame.js';

/** A run of payloads as newline-delimited batch frames (clients that asked for `?batch=1`). */
const batchRun: JoinRun = (payloads) => wsBatchFrames(payloads);

/**
 * WebSocket output. Frames of one event-loop turn leave in one socket write, built once and shared by every
 * connection that gets the same run (see tick-writer.ts): message frames are pre-framed shared buffers, and
 * with `batch` the whole run is one newline-delimited batch frame (docs/protocol.md, "Batch frames"), so a
 * browser pays for one frame per turn instead of one per message. The frames bypass `ws`'s sender and go
 * straight to the socket (no compression, so the sender never queues and order is kept); close frames are
 * sent after the queue is flushed. A class: its methods are shared by every connection, not closures each.
 */
class WsOutput implements SessionOutput {
  readonly ws: WebSocket;
  readonly batch: boolean;
  readonly moved: SocketProgress = createSocketProgress();
  readonly writer: TickWriter;
  readonly socket: ProgressSocket;
  constructor(ws: WebSocket, socket: Duplex, batch: boolean) {
    this.ws = ws;
    this.batch = batch;
    this.socket = socket as ProgressSocket;
    const moved = this.moved;
    this.writer = createTickWriter(batch ? batchRun : concatRun, (bytes) => {
      if (ws.readyState !== ws.OPEN || socket.destroyed) return;
      progressOf(moved, socket as ProgressSocket);
      socket.write(bytes);
      afterWrite(moved, socket as ProgressSocket);
    });
  }

  push(payload: Buffer): void {
    this.writer.push(this.batch ? payload : wsTextFrame([payload]));
  }

  send(frame: ServerFrame): void {
    if (this.ws.readyState === this.ws.OPEN) this.push(Buffer.from(JSON.stringify(frame)));
  }

  hello(frame: ServerFrame): void {
    this.send(frame);
  }

  subscribed(frame: ServerFrame): void {
    this.send(frame);
  }

  unsubscribed(frame: ServerFrame): void {
    this.send(frame);
  }

  message(outbound: Outbound): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.writer.push(this.batch ? outbound.wsFrame() : outbound.wsFramed());
  }

  ack(frame: ServerFrame): void {
    this.send(frame);
  }

  presence(frame: ServerFrame): void {
    this.send(frame);
  }

  error(body: ErrorBody): void {
    this.send({ type: 'error', ...body });
  }

  ping(): void {
    this.send({ type: 'ping' });
  }

  pong(): void {
    this.send({ type: 'pong' });
  }

  bufferedBytes(): number {
    return this.ws.bufferedAmount + this.writer.pendingBytes();
  }

  progress(): number {
    return progressOf(this.moved, this.socket);
  }

  close(error: RealtimeError | undefined, reconnectWithinMs?: number): void {
    const { ws, writer } = this;
    if (error?.code === 'slow_consumer') {
      writer.drop();
      return ws.terminate();
    }
    // A drain: tell the client how soon to come back before the close (`reconnect` frame).
    if (reconnectWithinMs !== undefined && ws.readyState === ws.OPEN) this.push(Buffer.from(JSON.stringify({ type: 'reconnect', reconnectWithinMs })));
    if (error) this.send({ type: 'error', ...error.toBody() });
    writer.flush();
    // Close reasons are limited to 123 bytes.
    ws.close(error ? CLOSE_CODES[error.code] : 1000, error ? Buffer.from(error.message).subarray(0, 123).toString() : undefined);
  }
}

/** Create the output of one WebSocket connection (see `WsOutput`). */
export function createWsOutput(ws: WebSocket, socket: Duplex, batch: boolean): SessionOutput {
  return new WsOutput(ws, socket, batch);
}
