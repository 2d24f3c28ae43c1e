/**
 * Loading the `redis` package is not a Redis command: on a cold, busy process it takes seconds (7-9 s was
 * measured with three test processes on 2 cores), longer than the command timeout, and the first subscribe
 * of a fresh broker used to fail as `broker_unavailable` (the SSE client of many-instances never got its
 * `subscribed`). The package's import is held here until the command timeout has passed, on fake timers.
 * This file must not import `redis` (nor targets.ts, which does) before the test opens the gate.
 */
import { afterAll, expect, test, vi } from 'vitest';
import type { Envelope } from '@qwik-realtime/core/protocol';
import { createRedisBroker } from '@qwik-realtime/server/redis';

const gate = vi.hoisted(() => {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open: () => open(), opened };
});

vi.mock('redis', async (importOriginal) => {
  await gate.opened;
  return importOriginal();
});

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ns = `qr-test-driver-${process.pid}-${Date.now().toString(36)}`;

afterAll(async () => {
  gate.open();
  const { createClient } = await import('redis');
  const redis = await createClient({ url: REDIS_URL }).connect();
  const keys: string[] = [];
  for await (const batch of redis.scanIterator({ MATCH: `${ns}:*`, COUNT: 100 })) keys.push(...batch);
  if (keys.length > 0) await redis.del(keys);
  redis.destroy();
});

test('GIVEN the redis package loading for longer than the command timeout WHEN a fresh broker subscribes THEN the subscription succeeds once it has loaded and gets live messages', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  const broker = createRedisBroker({ url: REDIS_URL, prefix: `${ns}:`, commandTimeoutMs: 1000 });
  try {
    let received: (message: Envelope) => void = () => {};
    const first = new Promise<Envelope>((resolve) => (received = resolve));
    const subscribing = broker.subscribe('t', (message) => received(message));
    const outcome = subscribing.then(
      () => 'subscribed',
      (error: unknown) => String(error),
    );
    // The import is still held: five command timeouts go by.
    await vi.advanceTimersByTimeAsync(5000);
    vi.useRealTimers();
    gate.open();
    expect(await outcome).toBe('subscribed');
    const published = await broker.publish('t', { id: 'm1', data: { n: 1 }, timestamp: Date.now() });
    const message = await first;
    expect([message.offset, message.epoch, message.data]).toEqual([1, published.message.epoch, { n: 1 }]);
    await (await subscribing)();
  } finally {
    vi.useRealTimers();
    await broker.close();
  }
});
