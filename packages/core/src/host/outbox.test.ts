import { describe, expect, it } from 'vitest';
import type { Envelope } from '../protocol/index.js';
import type { HostItem, HostMessage } from './messages.js';
import { createOutbox } from './outbox.js';

const message = (offset: number): Envelope => ({ id: `m${offset}`, topic: 't', data: offset, timestamp: 0, offset, epoch: 'e' });
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => message(from + i));
const state = (sub: number): Extract<HostItem, { kind: 'topic-state' }> => ({ sub, kind: 'topic-state', state: { topic: 't', status: 'live', error: null, recovered: true, nextRetryAt: null } });

/** What a batch carries, readably: offsets per messages item (with skipped), kinds of the rest. */
const shape = (posted: HostMessage) =>
  posted.type === 'batch' ? posted.items.map((item) => (item.kind === 'messages' ? `${item.sub}:${item.messages.map((m) => m.offset).join(',')}/${item.skipped}` : `${item.sub}:${item.kind}`)) : posted.type;

describe('tab outbox', () => {
  it('GIVEN a batch in flight WHEN a burst of 50,000 comes for a subscription with last 50 THEN the next batch carries only its newest 50', () => {
    const posted: HostMessage[] = [];
    const outbox = createOutbox((posted_) => posted.push(posted_));
    outbox.messages(1, [message(1)], 50);
    expect(posted.map(shape)).toEqual([['1:1/0']]);
    for (let offset = 2; offset <= 50_001; offset += 1000) outbox.messages(1, range(offset, offset + 999), 50);
    expect(posted).toHaveLength(1);
    outbox.ready();
    expect(posted).toHaveLength(2);
    const batch = posted[1] as Extract<HostMessage, { type: 'batch' }>;
    const items = batch.items as Extract<HostItem, { kind: 'messages' }>[];
    expect(items).toHaveLength(1);
    expect(items[0]!.messages.map((m) => m.offset)).toEqual(range(49_952, 50_001).map((m) => m.offset));
    expect(items[0]!.skipped).toBe(50_000 - 50);
  });

  it('GIVEN events between the messages of a last-2 subscription THEN the window spans the whole outbox, events stay in order, and an unlimited subscription keeps everything', () => {
    const posted: HostMessage[] = [];
    const outbox = createOutbox((posted_) => posted.push(posted_));
    outbox.event(state(9));
    outbox.messages(1, range(1, 2), 2);
    outbox.messages(2, range(1, 2), undefined);
    outbox.event(state(1));
    outbox.messages(1, range(3, 3), 2);
    outbox.messages(2, range(3, 3), undefined);
    outbox.event({ sub: 1, kind: 'conflated', event: { topic: 't', dropped: 4, position: { offset: 8, epoch: 'e' } } });
    outbox.messages(1, range(8, 9), 2);
    outbox.ready();
    expect(posted.map(shape)).toEqual([['9:topic-state'], ['1:/2', '2:1,2,3/0', '1:topic-state', '1:/1', '1:conflated', '1:8,9/0']]);
  });

  it('GIVEN an unsubscribed or reset subscription THEN nothing of it is sent, and a reset outbox sends at once', () => {
    const posted: HostMessage[] = [];
    const outbox = createOutbox((posted_) => posted.push(posted_));
    outbox.messages(1, range(1, 1), undefined);
    outbox.messages(1, range(2, 3), undefined);
    outbox.messages(2, range(2, 3), undefined);
    outbox.forget(1);
    outbox.ready();
    expect(posted.map(shape)).toEqual([['1:1/0'], ['2:2,3/0']]);
    outbox.messages(2, range(4, 4), undefined);
    outbox.reset();
    outbox.messages(2, range(5, 5), undefined);
    expect(posted.map(shape)).toEqual([['1:1/0'], ['2:2,3/0'], ['2:5/0']]);
  });
});
