import type { Writable } from 'node:stream';
import { afterWrite, createSocketProgress, progressOf } from './socket-progress.js';
import type { ProgressSocket, SocketProgress } from './socket-progress.js';
import { concatRun, createTickWriter } from './tick-writer.js';
import type { TickWriter } from './tick-writer.js';

/** A byte stream to one client (an SSE response body), independent of Node or web streams. */
export interface ByteSink {
  write(chunk: string | Uint8Array): void;
  /** Bytes accepted but not yet handed to the network. */
  bufferedBytes(): number;
  /** Flush and finish. */
  end(): void;
  /** Finish at once, dropping whatever is buffered (slow consumers). */
  destroy(): void;
  /** Whether the network still takes bytes (see socket-progress.ts); absent when the sink cannot tell. */
  progress?(): number;
}

/** The part of a Node `ServerResponse` (or any `Writable` with cork) a sink needs. */
type CorkableWritable = Pick<Writable, 'write' | 'cork' | 'uncork' | 'end' | 'destroy' | 'writableLength' | 'destroyed' | 'writableEnded'> & {
  readonly socket?: ProgressSocket | null;
};

/**
 * A sink over a Node response. Writes of one event-loop turn are queued and handed to the stream as one
 * chunk at the end of the turn (see tick-writer.ts): a burst costs one write and one syscall per connection,
 * and when many connections get the same run of shared buffers the joined chunk is built once for all.
 * A class so that an idle connection holds one object and one closure, not one closure per method.
 */
class NodeSink implements ByteSink {
  readonly stream: CorkableWritable;
  readonly moved: SocketProgress = createSocketProgress();
  readonly writer: TickWriter;
  constructor(stream: CorkableWritable) {
    this.stream = stream;
    const moved = this.moved;
    this.writer = createTickWriter(concatRun, (bytes) => {
      if (stream.destroyed || stream.writableEnded) return;
      progressOf(moved, stream.socket);
      stream.write(bytes);
      afterWrite(moved, stream.socket);
    });
  }

  write(chunk: string | Uint8Array): void {
    if (this.stream.destroyed || this.stream.writableEnded) return;
    this.writer.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }

  bufferedBytes(): number {
    // The stream's own queue only grows by our writes (see socket-progress.ts): skip the getters while empty.
    return (this.moved.length === 0 ? 0 : this.stream.writableLength) + this.writer.pendingBytes();
  }

  end(): void {
    if (this.stream.destroyed || this.stream.writableEnded) return;
    this.writer.flush();
    this.stream.end();
  }

  destroy(): void {
    this.writer.drop();
    this.stream.destroy();
  }

  progress(): number {
    return progressOf(this.moved, this.stream.socket);
  }
}

/** A {@link ByteSink} over a Node response (see `NodeSink`). */
export function createNodeSink(stream: CorkableWritable): ByteSink {
  return new NodeSink(stream);
}

const encoder = new TextEncoder();

/**
 * A sink feeding a web `ReadableStream` (Qwik City, any Fetch-API server). Chunks queue in the stream until
 * the consumer pulls them; `bufferedBytes` is that queue's size. `onCancel` fires when the consumer goes away.
 */
export function createWebSink(onCancel: () => void): { sink: ByteSink; body: ReadableStream<Uint8Array> } {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let open = true;
  const body = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      cancel() {
        open = false;
        onCancel();
      },
    },
    { highWaterMark: 0, size: (chunk) => chunk.byteLength },
  );
  const sink: ByteSink = {
    write(chunk) {
      if (!open) return;
      controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
    },
    bufferedBytes: () => (open ? Math.max(0, -(controller.desiredSize ?? 0)) : 0),
    end() {
      if (!open) return;
      open = false;
      controller.close();
    },
    destroy() {
      if (!open) return;
      open = false;
      controller.error(new Error('@qwik-realtime/server: stream cut'));
    },
  };
  return { sink, body };
}
