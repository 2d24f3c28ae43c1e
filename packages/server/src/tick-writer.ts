/**
 * Per-connection write queues flushed once per event-loop turn: everything one connection is sent during a
 * turn leaves as one chunk (one syscall). A turn's run of chunks is usually the same for every subscriber of
 * a topic (the same shared message buffers in the same order), so the joined chunk is built once and the
 * next connection with an identical run reuses it: fan-out then costs one write of shared bytes per
 * connection per turn, whatever the message rate.
 */

/** How a run of chunks becomes the bytes of one write. */
export type JoinRun = (chunks: readonly Buffer[], bytes: number) => Buffer;

/** A connection's queue (see {@link createTickWriter}). */
export interface TickWriter {
  /** Queue a chunk for the end of this turn. */
  push(chunk: Buffer): void;
  /** Bytes queued and not yet handed to `write`. */
  pendingBytes(): number;
  /** Hand everything queued to `write` now (before a close, or to keep order with a direct write). */
  flush(): void;
  /** Forget everything queued (the connection is gone or cut). */
  drop(): void;
}

/**
 * One connection's queue. A class, not a closure-returning factory: its methods live once on the prototype
 * instead of four closures per connection (a 1,000-connection hub holds 1,000 of these).
 */
class Queue implements TickWriter {
  chunks: Buffer[] = [];
  bytes = 0;
  scheduled = false;
  readonly join: JoinRun;
  readonly write: (bytes: Buffer) => void;
  constructor(join: JoinRun, write: (bytes: Buffer) => void) {
    this.join = join;
    this.write = write;
  }

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    if (this.scheduled) return;
    this.scheduled = true;
    dirty.push(this);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flushAll);
    }
  }

  pendingBytes(): number {
    return this.bytes;
  }

  flush(): void {
    flushQueue(this);
  }

  drop(): void {
    this.chunks = [];
    this.bytes = 0;
  }
}

let dirty: Queue[] = [];
let scheduled = false;
/** The last joined run, per join function: the cache that makes a run's bytes shared between connections. */
const lastRun = new WeakMap<JoinRun, { chunks: readonly Buffer[]; joined: Buffer }>();

const sameRun = (a: readonly Buffer[], b: readonly Buffer[]) => {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
};

function flushQueue(queue: Queue) {
  queue.scheduled = false;
  const { chunks, bytes } = queue;
  if (chunks.length === 0) return;
  queue.chunks = [];
  queue.bytes = 0;
  const cached = lastRun.get(queue.join);
  let joined: Buffer;
  if (cached && sameRun(cached.chunks, chunks)) joined = cached.joined;
  else {
    joined = queue.join(chunks, bytes);
    lastRun.set(queue.join, { chunks, joined });
  }
  queue.write(joined);
}

function flushAll() {
  scheduled = false;
  const queues = dirty;
  dirty = [];
  for (const queue of queues) flushQueue(queue);
}

/**
 * Create a queue that joins a turn's chunks with `join` and hands them to `write` (one call per turn).
 * All queues of the process are flushed by one `setImmediate`, in the order they were first written to.
 */
export function createTickWriter(join: JoinRun, write: (bytes: Buffer) => void): TickWriter {
  return new Queue(join, write);
}

/** Join by concatenation (SSE events, or complete WebSocket frames). */
export const concatRun: JoinRun = (chunks, bytes) => (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks as Buffer[], bytes));
