/**
 * Whether the kernel is still taking a connection's bytes. `writableLength` alone cannot tell a slow reader
 * from a stopped one: both leave bytes waiting in user space once the kernel's socket buffers are full. What
 * differs is movement: for a reader that reads, the kernel finishes write requests (the queue shrinks
 * between our writes); for one that stopped, it finishes none. Node shows progress only per finished write
 * request, not per byte, so "no movement for N ms" means "the oldest bytes handed to the socket have waited
 * N ms". A plain record and free functions, not closures: there is one per connection.
 */

/** The part of a `net.Socket` this needs. */
export interface ProgressSocket {
  readonly writableLength: number;
  readonly destroyed: boolean;
}

/** What one connection's socket queue looked like at the last look. */
export interface SocketProgress {
  length: number;
  /** How many times the kernel was seen taking bytes while some waited. */
  moves: number;
}

/** A fresh record for a connection. */
export const createSocketProgress = (): SocketProgress => ({ length: 0, moves: 0 });

/**
 * Note the socket's queue right after writing to it, so that only the kernel changes it until the next look.
 * Call {@link progressOf} right before the write: a request the kernel finished just before would otherwise be
 * hidden by the bytes the write adds.
 */
export function afterWrite(progress: SocketProgress, socket: ProgressSocket | null | undefined): void {
  if (socket) progress.length = socket.writableLength;
}

/**
 * -1 when nothing waits in user space (the kernel took every byte); otherwise a count that grows whenever
 * the kernel was seen taking bytes since the last look. A count that stays put means no movement.
 */
export function progressOf(progress: SocketProgress, socket: ProgressSocket | null | undefined): number {
  // Only our writes grow the queue and each is followed by `afterWrite`: empty then means empty now (and the
  // fan-out path reads no socket getter for a connection that keeps up).
  if (progress.length === 0 || !socket || socket.destroyed) return -1;
  const length = socket.writableLength;
  if (length < progress.length) progress.moves++;
  progress.length = length;
  return length === 0 ? -1 : progress.moves;
}

/**
 * The slowest drain the stall rule waits for: a write request of `bytes` gets `bytes / MIN_DRAIN_BYTES_PER_SECOND`
 * seconds when that is longer than `slowConsumerMs`, so a client on a slow link catching up on a large replay
 * chunk is not mistaken for one that stopped reading (Node shows progress per finished request only).
 */
export const MIN_DRAIN_BYTES_PER_SECOND = 16 * 1024;

/** A connection's stall clock (see {@link stalledFor}). */
export interface StallClock {
  moves: number;
  since: number;
  /** Bytes waiting when the current wait began (an upper bound of the request the kernel has to finish). */
  bytes: number;
}

/** A fresh clock: nothing waits. */
export const createStallClock = (): StallClock => ({ moves: -1, since: 0, bytes: 0 });

/**
 * Whether a connection counts as stopped: `moves` (from {@link progressOf}) has not changed for `limitMs`, or
 * for as long as the bytes waiting when the wait began take at {@link MIN_DRAIN_BYTES_PER_SECOND}, if longer.
 */
export function stalledFor(clock: StallClock, moves: number, waitingBytes: number, now: number, limitMs: number): boolean {
  if (moves < 0) {
    clock.moves = -1;
    return false;
  }
  if (moves !== clock.moves) {
    clock.moves = moves;
    clock.since = now;
    clock.bytes = waitingBytes;
    return false;
  }
  return now - clock.since > Math.max(limitMs, (clock.bytes * 1000) / MIN_DRAIN_BYTES_PER_SECOND);
}
