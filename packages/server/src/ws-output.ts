import type { Duplex } from 'node:stream';
import { CLOSE_CODES } from '@qwik-realtime/core/protocol';
import type { ServerFrame } from '@qwik-realtime/core/protocol';
import type { WebSocket } from 'ws';
import type { SessionOutput } from './session.js';
import { afterWrite, createSocketProgress, progressOf } from './socket-progress.js';
import type { ProgressSocket } from './socket-progress.js';
import { concatRun, createTickWriter } from './tick-writer.js';
import type { JoinRun } from './tick-writer.js';
import { wsBatchFrames, wsTextFrame } from './ws-frame.js';

/** A run of payloads as newline-delimited batch frames (clients that asked for `?batch=1`). */
const batchRun: JoinRun = (payloads) => wsBatchFrames(payloads);

/**
 * WebSocket output. Frames of one event-loop turn leave in one socket write, built once and shared by every
 * connection that gets the same run (see tick-writer.ts): message frames are pre-framed shared buffers, and
 * with `batch` the whole run is one newline-delimited batch frame (docs/protocol.md, "Batch frames"), so a
 * browser pays for one frame per turn instead of one per message. The frames bypass `ws`'s sender and go
 * straight to the socket (no compression, so the sender never queues and order is kept); close frames are
 * sent after the queue is flushed.
 */
export function createWsOutput(ws: WebSocket, socket: Duplex, batch: boolean): SessionOutput {
  const moved = createSocketProgress();
  const writer = createTickWriter(batch ? batchRun : concatRun, (bytes) => {
    if (ws.readyState !== ws.OPEN || socket.destroyed) return;
    socket.write(bytes);
    afterWrite(moved, socket as ProgressSocket);
  });
  const push = (payload: Buffer) => writer.push(batch ? payload : wsTextFrame([payload]));
  const send = (frame: ServerFrame) => {
    if (ws.readyState === ws.OPEN) push(Buffer.from(JSON.stringify(frame)));
  };
  return {
    hello: send,
    subscribed: send,
    unsubscribed: send,
    message(outbound) {
      if (ws.readyState !== ws.OPEN) return;
      writer.push(batch ? outbound.wsFrame() : outbound.wsFramed());
    },
    ack: send,
    presence: send,
    error: (body) => send({ type: 'error', ...body }),
    ping: () => send({ type: 'ping' }),
    pong: () => send({ type: 'pong' }),
    bufferedBytes: () => ws.bufferedAmount + writer.pendingBytes(),
    progress: () => progressOf(moved, socket as ProgressSocket),
    close(error, reconnectWithinMs) {
      if (error?.code === 'slow_consumer') {
        writer.drop();
        return ws.terminate();
      }
      // A drain: tell the client how soon to come back before the close (`reconnect` frame).
      if (reconnectWithinMs !== undefined && ws.readyState === ws.OPEN) push(Buffer.from(JSON.stringify({ type: 'reconnect', reconnectWithinMs })));
      if (error) send({ type: 'error', ...error.toBody() });
      writer.flush();
      // Close reasons are limited to 123 bytes.
      ws.close(error ? CLOSE_CODES[error.code] : 1000, error ? Buffer.from(error.message).subarray(0, 123).toString() : undefined);
    },
  };
}
