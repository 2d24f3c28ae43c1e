import { describe, expect, test } from 'vitest';
import { createAdmission } from './admission.js';
import { RealtimeError } from './errors.js';
import { createRateLimiter } from './rate-limit.js';

describe('createAdmission', () => {
  test('admits up to max, refuses the next with try_again_later, admits again after a release (released once only)', () => {
    const admission = createAdmission(2, 1000, () => 0.5);
    const first = admission.enter();
    admission.enter();
    let refused: unknown;
    try {
      admission.enter();
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(RealtimeError);
    expect((refused as RealtimeError).toBody()).toMatchObject({ code: 'try_again_later', retryAfterMs: 1000 });
    first();
    first();
    expect(admission.inFlight()).toBe(1);
    admission.enter();
    expect(() => admission.enter()).toThrow(RealtimeError);
  });

  test.each([
    [0, 500],
    [0.999, 1499],
  ])('spreads retryAfterMs over [0.5, 1.5] x the base (random %s -> %s ms)', (random, expected) => {
    const admission = createAdmission(0, 1000, () => random);
    expect(() => admission.enter()).toThrow(expect.objectContaining({ retryAfterMs: expected }));
  });
});

describe('createRateLimiter.retryAfterMs', () => {
  test('is 0 with a token left, then the time to the next token', () => {
    let now = 0;
    const limiter = createRateLimiter(1, 1, () => now);
    expect(limiter.retryAfterMs()).toBe(0);
    expect(limiter.take()).toBe(true);
    expect(limiter.retryAfterMs()).toBe(1000);
    now = 400;
    expect(limiter.retryAfterMs()).toBe(600);
    now = 1000;
    expect(limiter.take()).toBe(true);
  });
});
