import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { createBaseClient } from './base-client.js';
import { retryDelay } from './retry-delay.js';
import type { CloseReason, Transport, TransportEvents } from './transport.js';

const busy = (retryAfterMs: number): CloseReason => ({ code: 'try_again_later', retry: 'retry_backoff', message: 'busy', retryAfterMs });

describe('retryDelay', () => {
  test.each([0, 1, 4, 10])('try_again_later after %s refusals: the hint plus a jitter as wide as the hint, no backoff', (attempt) => {
    expect(retryDelay({ reason: busy(1000), attempt, random: () => 0.99, retryNowWindowMs: 500 })).toBe(1990);
  });

  test('any other hinted error still backs off past the hint (an HTTP Retry-After: 1 on a broker outage)', () => {
    const outage: CloseReason = { code: 'broker_unavailable', retry: 'retry_backoff', message: 'down', retryAfterMs: 1000 };
    expect(retryDelay({ reason: outage, attempt: 4, random: () => 0.99, retryNowWindowMs: 500 })).toBe(15_840);
  });
});

describe('GIVEN a hub at its handshake cap WHEN it refuses the same client again and again', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  test('THEN every retry comes back within the hint plus its jitter, however many refusals came before', async () => {
    const sessions: TransportEvents[] = [];
    // Refused before `hello`, as a capped upgrade or SSE request is.
    const transport: Transport = {
      name: 'websocket',
      connect(_context, events) {
        sessions.push(events);
        queueMicrotask(() => events.closed(busy(1000)));
        return { subscribe: () => true, unsubscribe: () => undefined, close: () => undefined };
      },
    };
    const c = createBaseClient({ url: 'http://x/realtime', transports: [transport], platform: { network: null, visibility: null, random: () => 0.99 } });
    c.subscribe('t', {});
    const waits: number[] = [];
    for (let refusal = 0; refusal < 6; refusal++) {
      await vi.advanceTimersByTimeAsync(0);
      const wait = (c.getState().nextRetryAt ?? 0) - Date.now();
      waits.push(wait);
      await vi.advanceTimersByTimeAsync(wait);
    }
    // 1000 + 0.99 * 1000 every time; stacked on the backoff it was 0.99 * 2^n s from the second refusal on.
    expect(waits).toEqual([1990, 1990, 1990, 1990, 1990, 1990]);
    expect(sessions).toHaveLength(7);
    expect(c.getState()).toMatchObject({ status: 'reconnecting', attempt: 7, error: { code: 'try_again_later' } });
    c.close();
  });
});
