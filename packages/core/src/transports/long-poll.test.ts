import { describe, expect, test, vi } from 'vitest';
import { resolvePlatform } from '../platform.js';
import type { PollResponse } from '../protocol/frames.js';
import type { TransportEvents } from '../transport.js';
import { longPollTransport } from './long-poll.js';

// Each answer carries a message (a hub answers a waiting poll at once only when it has one; empty answers at
// once are paced, see tests/integration/hardening-hostile-server.test.ts).
const answer = (n: number): PollResponse => ({
  cursor: `0|a=${n}`,
  messages: [{ id: `m${n}`, topic: 'a', data: n, timestamp: 0, offset: n, epoch: 'e' }],
  heartbeatMs: 15_000,
  more: false,
});

function events(): TransportEvents {
  return { open: vi.fn(), subscribed: vi.fn(), messages: vi.fn(), error: vi.fn(), alive: vi.fn(), closed: vi.fn() };
}

describe('longPollTransport', () => {
  test('GIVEN a long session WHEN it polls many times THEN each poll has its own abort signal and close() aborts only the one in flight', async () => {
    const signals: AbortSignal[] = [];
    let polls = 0;
    let hang: (() => void) | undefined;
    const fetch = vi.fn((_url: string, init?: RequestInit) => {
      signals.push(init?.signal as AbortSignal);
      polls++;
      // The 50th poll stays open until aborted, like a real long poll waiting for messages.
      if (polls === 50) {
        return new Promise<Response>((_resolve, reject) => {
          hang = () => reject(new DOMException('aborted', 'AbortError'));
          init?.signal?.addEventListener('abort', () => hang?.());
        });
      }
      return Promise.resolve(new Response(JSON.stringify(answer(polls)), { status: 200 }));
    });
    const session = longPollTransport().connect(
      { url: 'http://hub.test/realtime', topics: [{ topic: 'a' }], platform: resolvePlatform({ fetch: fetch as unknown as typeof globalThis.fetch }) },
      events(),
    );
    await vi.waitFor(() => expect(polls).toBe(50));
    // A shared session signal would collect one abort listener per poll in Node's fetch (a leak).
    expect(new Set(signals).size).toBe(50);
    expect(signals.slice(0, 49).some((s) => s.aborted)).toBe(false);
    session.close();
    expect(signals[49]?.aborted).toBe(true);
  });
});
