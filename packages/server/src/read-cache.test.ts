import { describe, expect, test } from 'vitest';
import type { HistoryResult } from './broker.js';
import { createReadCache } from './read-cache.js';

const result = (offset: number): HistoryResult => ({ messages: [], recovered: true, head: { offset, epoch: 'e' } });

describe('read cache bounds', () => {
  test('GIVEN a quiet watched topic WHEN 100,000 distinct queries are kept THEN at most a bounded number are held, and expired ones make room', () => {
    let clock = 0;
    const cache = createReadCache(() => clock);
    cache.watch('t');
    const generation = cache.generation('t')!;
    for (let i = 0; i < 100_000; i++) cache.keep('t', `since ${i}`, generation, result(i));
    let held = 0;
    for (let i = 0; i < 100_000; i++) if (cache.answer('t', `since ${i}`)) held++;
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThanOrEqual(256);
    // Once the kept answers are older than the age limit, new ones are kept again.
    clock += 1001;
    cache.keep('t', 'fresh', generation, result(1));
    expect(cache.answer('t', 'fresh')).toEqual(result(1));
  });
});
