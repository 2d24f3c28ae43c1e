import { describe, expect, test } from 'vitest';
import { createRateLimiter } from './rate-limit.js';

describe('createRateLimiter', () => {
  let clock = 0;
  const now = () => clock;

  test('GIVEN 2 tokens/s, burst 4 WHEN 5 are taken at once THEN the fifth waits 500 ms, and one comes back every 500 ms', () => {
    clock = 0;
    const bucket = createRateLimiter(2, 4, now);
    expect([1, 2, 3, 4, 5].map(() => bucket.take())).toEqual([true, true, true, true, false]);
    expect(bucket.retryAfterMs()).toBe(500);
    clock += 499;
    expect(bucket.take()).toBe(false);
    clock += 1;
    expect(bucket.take()).toBe(true);
  });

  test('WHEN several tokens are asked at once THEN all or none are taken, and the wait is for all of them', () => {
    clock = 0;
    const bucket = createRateLimiter(2, 4, now);
    expect(bucket.take(3)).toBe(true);
    expect(bucket.take(2)).toBe(false);
    expect(bucket.retryAfterMs(2)).toBe(500);
    expect(bucket.take()).toBe(true);
    expect(bucket.retryAfterMs(3)).toBe(1500);
  });

  test('WHEN more than the burst is asked THEN it is the whole burst: it passes on a full bucket instead of never', () => {
    clock = 0;
    const bucket = createRateLimiter(2, 4, now);
    expect(bucket.take(10)).toBe(true);
    expect(bucket.retryAfterMs(10)).toBe(2000);
    clock += 2000;
    expect(bucket.take(10)).toBe(true);
  });
});
