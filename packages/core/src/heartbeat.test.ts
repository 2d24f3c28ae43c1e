import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { createWatchdog } from './heartbeat.js';
import { resolvePlatform } from './platform.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createWatchdog', () => {
  test('expires once after the timeout without beats', async () => {
    const onExpire = vi.fn();
    createWatchdog(resolvePlatform(), 20_000, onExpire);
    await vi.advanceTimersByTimeAsync(19_999);
    expect(onExpire).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(onExpire).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(100_000);
    expect(onExpire).toHaveBeenCalledTimes(1);
  });

  test('each beat restarts the window', async () => {
    const onExpire = vi.fn();
    const watchdog = createWatchdog(resolvePlatform(), 20_000, onExpire);
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(15_000);
      watchdog.beat();
    }
    expect(onExpire).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(onExpire).toHaveBeenCalledTimes(1);
  });

  test('check() expires on wall-clock age even when timers were frozen (background tab, sleeping laptop)', () => {
    const onExpire = vi.fn();
    const watchdog = createWatchdog(resolvePlatform(), 20_000, onExpire);
    // The clock moves, no timer fires: what a throttled tab sees.
    vi.setSystemTime(Date.now() + 10_000);
    watchdog.check();
    expect(onExpire).not.toHaveBeenCalled();
    vi.setSystemTime(Date.now() + 10_000);
    watchdog.check();
    expect(onExpire).toHaveBeenCalledTimes(1);
  });

  test('stop() silences it', async () => {
    const onExpire = vi.fn();
    createWatchdog(resolvePlatform(), 1000, onExpire).stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(onExpire).not.toHaveBeenCalled();
  });
});
