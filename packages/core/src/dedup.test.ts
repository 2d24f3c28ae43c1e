import { describe, expect, test } from 'vitest';
import { createDedup } from './dedup.js';

describe('createDedup', () => {
  test('remembers exactly the last `capacity` keys', () => {
    const dedup = createDedup(3);
    expect(['a', 'b', 'c'].map((k) => dedup.seen(k))).toEqual([false, false, false]);
    expect(dedup.seen('a')).toBe(true);
    expect(dedup.seen('d')).toBe(false); // evicts a
    expect(dedup.seen('b')).toBe(true);
    expect(dedup.seen('a')).toBe(false); // forgotten, remembered again (evicts b)
    expect(dedup.seen('b')).toBe(false);
  });

  test('memory stays bounded whatever the stream', () => {
    const dedup = createDedup(100);
    for (let i = 0; i < 10_000; i++) dedup.seen(`id-${i}`);
    expect(dedup.size).toBe(100);
    expect(dedup.seen('id-9999')).toBe(true);
    expect(dedup.seen('id-9900')).toBe(true);
    expect(dedup.seen('id-9899')).toBe(false);
  });
});
