import type { Envelope } from '@qwik-realtime/core/protocol';
import { describe, expect, it } from 'vitest';
import { lastPosition, mergeFeed } from './feed-merge.js';

const msg = (offset: number, epoch = 'e1', id = `m${offset}`): Envelope<number> => ({
  id,
  topic: 't',
  data: offset,
  timestamp: 0,
  offset,
  epoch,
});

describe('mergeFeed', () => {
  it('appends in order and keeps only the newest `limit`', () => {
    const next = mergeFeed([msg(1), msg(2)], [msg(3), msg(4), msg(5)], 3);
    expect(next.map((m) => m.offset)).toEqual([3, 4, 5]);
  });

  it('drops messages already shown by id or at/before the seed position in the same epoch', () => {
    const seed = [msg(4), msg(5)];
    const next = mergeFeed(seed, [msg(5), msg(4, 'e1', 'other'), msg(6)], 10, { offset: 5, epoch: 'e1' });
    expect(next.map((m) => m.id)).toEqual(['m4', 'm5', 'm6']);
  });

  it('accepts a new epoch after the seed (history was lost on the server)', () => {
    const next = mergeFeed([msg(9)], [msg(1, 'e2', 'fresh')], 10, { offset: 9, epoch: 'e1' });
    expect(next.map((m) => m.id)).toEqual(['m9', 'fresh']);
  });

  it('does not mutate its input', () => {
    const current = [msg(1)];
    mergeFeed(current, [msg(2)], 5);
    expect(current).toHaveLength(1);
  });
});

describe('lastPosition', () => {
  it('is the newest message position, or the fallback when empty', () => {
    expect(lastPosition([msg(1), msg(7)])).toEqual({ offset: 7, epoch: 'e1' });
    expect(lastPosition([], { offset: 3, epoch: 'x' })).toEqual({ offset: 3, epoch: 'x' });
  });
});
