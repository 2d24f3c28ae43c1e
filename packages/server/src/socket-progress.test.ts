import { describe, expect, test } from 'vitest';
import { afterWrite, createSocketProgress, createStallClock, MIN_DRAIN_BYTES_PER_SECOND, progressOf, stalledFor } from './socket-progress.js';

/** A stand-in for the part of a socket the progress record reads. */
const socketWith = (writableLength: number) => ({ writableLength, destroyed: false });

describe('socket progress', () => {
  test('GIVEN nothing waits after a write THEN progress is -1 (nothing for the stall rule to time)', () => {
    const progress = createSocketProgress();
    const socket = socketWith(0);
    afterWrite(progress, socket);
    expect(progressOf(progress, socket)).toBe(-1);
  });

  test('GIVEN bytes wait and the kernel takes none THEN the count stays put; WHEN it takes some THEN the count moves', () => {
    const progress = createSocketProgress();
    const socket = socketWith(64 * 1024);
    afterWrite(progress, socket);
    const stuck = progressOf(progress, socket);
    expect(stuck).toBeGreaterThanOrEqual(0);
    expect(progressOf(progress, socket)).toBe(stuck);
    socket.writableLength = 16 * 1024;
    const moved = progressOf(progress, socket);
    expect(moved).toBeGreaterThan(stuck);
    expect(progressOf(progress, socket)).toBe(moved);
  });

  test('GIVEN our own write grows the queue THEN that is not movement; GIVEN the kernel finished a request just before our write THEN it is', () => {
    const progress = createSocketProgress();
    const socket = socketWith(10_000);
    afterWrite(progress, socket);
    const before = progressOf(progress, socket);
    // A write while the kernel took nothing: looked at before, noted after.
    expect(progressOf(progress, socket)).toBe(before);
    socket.writableLength = 20_000;
    afterWrite(progress, socket);
    expect(progressOf(progress, socket)).toBe(before);
    // The kernel finished a request (20,000 -> 5,000), then we wrote 25,000 more.
    socket.writableLength = 5_000;
    const seen = progressOf(progress, socket);
    socket.writableLength = 30_000;
    afterWrite(progress, socket);
    expect(seen).toBeGreaterThan(before);
    expect(progressOf(progress, socket)).toBe(seen);
  });

  test('GIVEN the queue drains to empty THEN progress is -1 again', () => {
    const progress = createSocketProgress();
    const socket = socketWith(4096);
    afterWrite(progress, socket);
    socket.writableLength = 0;
    expect(progressOf(progress, socket)).toBe(-1);
  });
});

describe('stall clock', () => {
  const limitMs = 1000;

  test('GIVEN a queue that does not move THEN it counts as stopped only after limitMs; WHEN it moves THEN the clock restarts', () => {
    const clock = createStallClock();
    expect(stalledFor(clock, 3, 1024, 0, limitMs)).toBe(false);
    expect(stalledFor(clock, 3, 1024, 1000, limitMs)).toBe(false);
    expect(stalledFor(clock, 3, 1024, 1001, limitMs)).toBe(true);
    expect(stalledFor(clock, 4, 1024, 1002, limitMs)).toBe(false);
    expect(stalledFor(clock, 4, 1024, 1500, limitMs)).toBe(false);
    expect(stalledFor(clock, -1, 0, 2500, limitMs)).toBe(false);
    expect(stalledFor(clock, 4, 1024, 2600, limitMs)).toBe(false);
  });

  test('GIVEN a large request waiting when the wait began THEN it gets the time it takes at the slowest drain, not just limitMs', () => {
    const clock = createStallClock();
    const bytes = 10 * MIN_DRAIN_BYTES_PER_SECOND;
    expect(stalledFor(clock, 0, bytes, 0, limitMs)).toBe(false);
    expect(stalledFor(clock, 0, bytes, 5000, limitMs)).toBe(false);
    expect(stalledFor(clock, 0, bytes, 10_000, limitMs)).toBe(false);
    expect(stalledFor(clock, 0, bytes + 1, 10_001, limitMs)).toBe(true);
  });
});
