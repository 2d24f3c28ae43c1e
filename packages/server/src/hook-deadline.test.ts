import { afterEach, expect, test, vi } from 'vitest';
import { withinDeadline } from './hook-deadline.js';

afterEach(() => void vi.useRealTimers());

test('GIVEN a thenable whose then throws WHEN the hook fails THEN its deadline timer is gone too (it used to be left running)', async () => {
  vi.useFakeTimers();
  const thrown = new Error('then threw');
  const hook = () => ({ then: () => { throw thrown; } }) as unknown as Promise<boolean>;
  await expect(withinDeadline(hook, 60_000, 'authorize')).rejects.toBe(thrown);
  expect(vi.getTimerCount()).toBe(0);
});

test('GIVEN a hook that answers synchronously THEN its value comes back as it is, with no timer', () => {
  vi.useFakeTimers();
  expect(withinDeadline(() => true, 60_000, 'authorize')).toBe(true);
  expect(vi.getTimerCount()).toBe(0);
});
