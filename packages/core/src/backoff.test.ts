import { describe, expect, test } from 'vitest';
import { backoffDelay } from './backoff.js';
import { seededRandom as seeded } from './testing/seeded-random.js';


describe('backoffDelay (full jitter)', () => {
  test('the window doubles from the 1 s base and is capped at 30 s', () => {
    const top = (attempt: number) => backoffDelay(attempt, 0.999_999);
    expect([0, 1, 2, 3, 4, 5, 6, 20, 1000].map(top)).toEqual([999, 1999, 3999, 7999, 15999, 29999, 29999, 29999, 29999]);
    expect(backoffDelay(7, 0)).toBe(0);
    expect(backoffDelay(2, 0.5, { baseMs: 100, capMs: 250 })).toBe(125);
  });

  test('delays are spread uniformly over [0, window): no waves of clients', () => {
    const random = seeded(42);
    const window = 8000;
    const buckets = new Array(10).fill(0);
    const samples = 20_000;
    let sum = 0;
    for (let i = 0; i < samples; i++) {
      const delay = backoffDelay(3, random());
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(window);
      buckets[Math.floor(delay / (window / 10))]++;
      sum += delay;
    }
    // Each tenth of the window gets about 10% of the clients (+-1.5 points), the mean is the middle.
    for (const count of buckets) expect(Math.abs(count / samples - 0.1)).toBeLessThan(0.015);
    expect(Math.abs(sum / samples - window / 2)).toBeLessThan(window * 0.02);
  });
});
