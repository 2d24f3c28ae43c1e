import type { Writable } from 'node:stream';

/** A byte stream to one client (an SSE response body), independent of Node or web streams. */
export interface ByteSink {
  write(chunk: string | Uint8Array): void;
  /** Bytes accepted but not yet handed to the network. */
  bufferedBytes(): number;
  /** Flush and finish. */
  end(): void;
  /** Finish at once, dropping whatever is buffered (slow consumers). */
  destroy(): void;
}

/** The part of a Node `ServerResponse` (or any `Writable` with cork) a sink needs. */
type CorkableWritable = Pick<Writable, 'write' | 'cork' | 'uncork' | 'end' | 'destroy' | 'writableLength' | 'destroyed' | 'writableEnded'>;

/**
 * A sink over a Node response. Writes of one event-loop turn are corked and flushed together by
 * `setImmediate`, so a burst of messages costs one syscall per connection instead of one per message.
 */
export function createNodeSink(stream: CorkableWritable): ByteSink {
  let corked = false;
  const uncork = () => {
    corked = false;
    if (!stream.destroyed) stream.uncork();
  };
  return {
    write(chunk) {
      if (stream.destroyed || stream.writableEnded) return;
      if (!corked) {
        corked = true;
        stream.cork();
        setImmediate(uncork);
      }
      stream.write(chunk);
    },
    bufferedBytes: () => stream.writableLength,
    end() {
      if (stream.destroyed || stream.writableEnded) return;
      stream.end();
    },
    destroy() {
      stream.destroy();
    },
  };
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
