import { afterEach, describe, expect, test, vi } from 'vitest';
import { retryOnContention } from './contention-retry.js';

afterEach(() => void vi.useRealTimers());

describe('retryOnContention', () => {
  test('GIVEN an attempt that keeps losing WHEN retried THEN it stops after `attempts`, waiting a growing, capped backoff between tries', async () => {
    vi.useFakeTimers();
    const delays: number[] = [];
    const setTimeoutSpy = (callback: () => void, ms: number) => (delays.push(ms), setTimeout(callback, ms));
    let calls = 0;
    const result = retryOnContention(async () => (calls++, { retry: true as const }), () => new Error('gave up'), {
      attempts: 6,
      baseMs: 10,
      capMs: 50,
      random: () => 0.999,
      setTimeout: setTimeoutSpy,
    });
    const settled = result.catch((error: Error) => error.message);
    await vi.runAllTimersAsync();
    expect(await settled).toBe('gave up');
    expect(calls).toBe(6);
    expect(delays).toEqual([9, 19, 39, 49, 49]);
  });

  test('GIVEN an attempt that wins on the third try THEN its value is returned after two waits', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const result = retryOnContention(async (n) => (calls++, n < 2 ? { retry: true as const } : { done: `won at ${n}` }), () => new Error('no'), { random: () => 0.5 });
    await vi.runAllTimersAsync();
    expect(await result).toBe('won at 2');
    expect(calls).toBe(3);
  });

  test('GIVEN the defaults THEN at most 10 attempts, never 64', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const settled = retryOnContention(async () => (calls++, { retry: true as const }), () => new Error('gave up')).catch(() => 'rejected');
    await vi.runAllTimersAsync();
    expect(await settled).toBe('rejected');
    expect(calls).toBe(10);
  });
});
