import { afterEach, describe, expect, test, vi } from 'vitest';
import type { Envelope, Position } from '@qwik-realtime/core/protocol';
import { createLiveTopic } from './redis-live.js';

/** A stand-in stream: what `read` answers is whatever the test stored, like XRANGE would. */
function stream(epoch = 'e1') {
  const state = { epoch, stored: [] as Envelope[], failNextReads: 0 };
  const message = (offset: number, e = state.epoch): Envelope => ({ id: `${e}-${offset}`, topic: 't', data: offset, timestamp: 0, offset, epoch: e });
  const add = (...offsets: number[]) => offsets.map((offset) => {
    const m = message(offset);
    state.stored.push(m);
    return m;
  });
  const read = async (after: Position, count: number) => {
    if (state.failNextReads > 0) {
      state.failNextReads--;
      throw new Error('redis down');
    }
    const from = after.epoch === state.epoch ? after.offset : 0;
    const current = state.stored.filter((m) => m.epoch === state.epoch);
    const rows = current.filter((m) => m.offset > from);
    const head = Math.max(0, ...current.map((m) => m.offset));
    return { epoch: state.epoch, head, messages: count > 0 ? rows.slice(0, count) : rows };
  };
  return { state, add, message, read };
}

function setup(durable = true) {
  const s = stream();
  const errors: unknown[] = [];
  const rollbacks: Position[] = [];
  const rollback = async (position: Position) => {
    rollbacks.push(position);
    s.state.epoch = 'r';
    s.state.stored = [];
  };
  const live = createLiveTopic({ durable, read: s.read, rollback, onError: (e) => errors.push(e) });
  const got: Envelope[] = [];
  live.listeners.add((m) => got.push(m));
  const raw = (m: Envelope) => live.onRaw(JSON.stringify(m));
  const settle = () => vi.advanceTimersByTimeAsync(0);
  return { s, live, got, raw, errors, settle, rollbacks, offsets: () => got.map((m) => `${m.offset}${m.epoch === 'e1' ? '' : `@${m.epoch}`}`) };
}

describe('redis live topic (ordered, gap-filled delivery)', () => {
  afterEach(() => vi.useRealTimers());

  test('GIVEN messages that arrive before the start position is known THEN they wait, and those at or below it are dropped', async () => {
    vi.useFakeTimers();
    const { s, live, raw, settle, offsets } = setup();
    const [m1, m2, m3] = s.add(1, 2, 3);
    raw(m1!);
    raw(m2!);
    raw(m3!);
    await settle();
    expect(offsets()).toEqual([]);
    live.start({ offset: 2, epoch: 'e1' });
    await settle();
    expect(offsets()).toEqual(['3']);
  });

  test('GIVEN a jump in offsets WHEN the next message arrives THEN the gap is read from the stream first, duplicates are dropped', async () => {
    vi.useFakeTimers();
    const { s, live, raw, settle, offsets } = setup();
    live.start({ offset: 0, epoch: 'e1' });
    const [m1, , , m4, m5] = s.add(1, 2, 3, 4, 5);
    raw(m1!);
    raw(m4!);
    raw(m4!);
    raw(m1!);
    raw(m5!);
    await settle();
    expect(offsets()).toEqual(['1', '2', '3', '4', '5']);
  });

  test('GIVEN a reconnect WHEN catchUp runs THEN messages that went by are delivered once, even if Pub/Sub later repeats them', async () => {
    vi.useFakeTimers();
    const { s, live, raw, settle, offsets } = setup();
    live.start({ offset: 0, epoch: 'e1' });
    const [m1, m2, m3] = s.add(1, 2, 3);
    raw(m1!);
    live.catchUp();
    raw(m3!);
    raw(m2!);
    await settle();
    expect(offsets()).toEqual(['1', '2', '3']);
  });

  test('GIVEN the stream cannot be read WHEN a gap shows up THEN nothing is delivered out of order and a retry catches up later', async () => {
    vi.useFakeTimers();
    const { s, live, raw, settle, offsets, errors } = setup();
    live.start({ offset: 0, epoch: 'e1' });
    const [m1, , m3] = s.add(1, 2, 3);
    raw(m1!);
    s.state.failNextReads = 2;
    raw(m3!);
    await settle();
    expect(offsets()).toEqual(['1']);
    await vi.advanceTimersByTimeAsync(250);
    expect(offsets()).toEqual(['1']);
    await vi.advanceTimersByTimeAsync(250);
    expect(offsets()).toEqual(['1', '2', '3']);
    expect(errors).toHaveLength(2);
  });

  test('GIVEN the epoch changed (history lost) WHEN a new-epoch message arrives THEN the new epoch is delivered from offset 1', async () => {
    vi.useFakeTimers();
    const { s, live, raw, settle, offsets } = setup();
    live.start({ offset: 0, epoch: 'e1' });
    const [m1] = s.add(1);
    raw(m1!);
    s.state.epoch = 'e2';
    s.state.stored = [];
    const [, n2] = s.add(1, 2);
    raw(n2!);
    await settle();
    expect(offsets()).toEqual(['1', '1@e2', '2@e2']);
  });

  test('GIVEN the topic already moved to a new epoch WHEN a late message of the old epoch arrives THEN it is dropped', async () => {
    vi.useFakeTimers();
    const { s, live, raw, settle, offsets } = setup();
    live.start({ offset: 0, epoch: 'e1' });
    const [m1, m2] = s.add(1, 2);
    raw(m1!);
    s.state.epoch = 'e2';
    s.state.stored = [];
    const [n1] = s.add(1);
    live.catchUp();
    raw(m2!);
    raw(n1!);
    await settle();
    expect(offsets()).toEqual(['1', '1@e2']);
  });

  test('GIVEN Redis lost acknowledged writes (its counter is behind what was delivered) WHEN catching up THEN the topic gets a new epoch', async () => {
    vi.useFakeTimers();
    const { s, live, raw, settle, offsets, rollbacks } = setup();
    live.start({ offset: 0, epoch: 'e1' });
    for (const m of s.add(1, 2, 3)) raw(m);
    await settle();
    s.state.stored = s.state.stored.slice(0, 1);
    live.catchUp();
    await settle();
    expect(rollbacks).toEqual([{ offset: 3, epoch: 'e1' }]);
    const [r1] = s.add(1);
    raw(r1!);
    await settle();
    expect(offsets()).toEqual(['1', '2', '3', '1@r']);
  });

  test('GIVEN pub/sub mode WHEN offsets jump THEN nothing is read back (at-most-once) and order is kept', async () => {
    vi.useFakeTimers();
    const { s, live, raw, settle, offsets } = setup(false);
    live.start({ offset: 0, epoch: 'e1' });
    const [m1, , m3] = s.add(1, 2, 3);
    s.state.failNextReads = 100;
    raw(m1!);
    raw(m3!);
    live.catchUp();
    await settle();
    expect(offsets()).toEqual(['1', '3']);
  });

  test('GIVEN a stopped topic THEN later messages reach nobody', async () => {
    vi.useFakeTimers();
    const { s, live, raw, settle, got } = setup();
    live.start({ offset: 0, epoch: 'e1' });
    live.stop();
    raw(s.add(1)[0]!);
    await settle();
    expect(got).toEqual([]);
  });
});
