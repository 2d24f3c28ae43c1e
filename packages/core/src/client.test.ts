import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { Envelope } from './protocol/envelope.js';
import { createTestClient } from './testing/index.js';
import type { SubscriptionEvent, TopicState } from './types.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const settle = () => vi.advanceTimersByTimeAsync(0);

describe('client over the fake server', () => {
  test('GIVEN two subscribers of one topic WHEN both leave THEN the topic is unsubscribed only after the teardown delay', async () => {
    const { client, server } = createTestClient();
    const a = client.subscribe('chat', {});
    const b = client.subscribe('chat', {});
    await settle();
    expect(server.subscribers('chat')).toBe(1);
    expect(server.attempts).toBe(1);
    a.unsubscribe();
    b.unsubscribe();
    await vi.advanceTimersByTimeAsync(999);
    expect(server.subscribers('chat')).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.subscribers('chat')).toBe(0);
    expect(client.getState().status).toBe('idle');
    expect(server.connected).toBe(false);
  });

  test('GIVEN the last subscriber left WHEN a new one comes within the delay THEN nothing reconnects', async () => {
    const { client, server } = createTestClient();
    client.subscribe('chat', {}).unsubscribe();
    await vi.advanceTimersByTimeAsync(500);
    const events: SubscriptionEvent[] = [];
    client.subscribe('chat', { onSubscribed: (e) => events.push(e) });
    await vi.advanceTimersByTimeAsync(5000);
    expect(server.attempts).toBe(1);
    expect(server.subscribers('chat')).toBe(1);
    expect(events).toHaveLength(1);
  });

  test('GIVEN several topics THEN they share one connection and each gets only its messages, batched', async () => {
    const { client, server } = createTestClient();
    const batches: string[][] = [];
    const single: unknown[] = [];
    client.subscribe<number>('a', { onBatch: (batch) => batches.push(batch.map((m) => `${m.topic}:${m.data}`)) });
    client.subscribe<number>('b', { onMessage: (m) => single.push(m.data) });
    await settle();
    server.publish('a', 1);
    server.publish('a', 2);
    server.publish('b', 3);
    server.publish('c', 4);
    await settle();
    expect(server.attempts).toBe(1);
    expect(batches.flat()).toEqual(['a:1', 'a:2']);
    expect(single).toEqual([3]);
  });

  test('GIVEN a drop mid-stream THEN the client resumes since its position, with no loss and no duplicate', async () => {
    const { client, server } = createTestClient({ backoff: { baseMs: 100, capMs: 100 } });
    const seen: number[] = [];
    const events: SubscriptionEvent[] = [];
    client.subscribe<number>('t', { onMessage: (m) => seen.push(m.data), onSubscribed: (e) => events.push(e) });
    await settle();
    server.publish('t', 1);
    await settle();
    server.drop();
    server.publish('t', 2);
    server.publish('t', 3);
    expect(client.getState().status).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(100);
    expect(client.getState().status).toBe('open');
    server.publish('t', 4);
    await settle();
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(events.map((e) => [e.recovered, e.resumed, e.replayed])).toEqual([
      [true, false, 0],
      [true, true, 2],
    ]);
  });

  test('GIVEN the server lost its history WHEN the client resumes THEN onSubscribed gets recovered:false', async () => {
    const { client, server } = createTestClient();
    const events: SubscriptionEvent[] = [];
    client.subscribe('t', { onSubscribed: (e) => events.push(e) });
    await settle();
    server.publish('t', 1);
    await settle();
    server.restart();
    await vi.advanceTimersByTimeAsync(0);
    expect(events.at(-1)).toMatchObject({ recovered: false, resumed: true });
  });

  test('GIVEN the same message id twice THEN the subscriber sees it once', async () => {
    const { client, server } = createTestClient();
    const seen: Envelope[] = [];
    client.subscribe('t', { onMessage: (m) => seen.push(m) });
    await settle();
    const first = server.publish('t', 'x');
    await settle();
    // Another epoch (as after a broker failover) with the same id: dropped by the id window.
    server.restart();
    await settle();
    server.publish('t', 'x', { id: first.id });
    server.publish('t', 'y');
    await settle();
    expect(seen.map((m) => m.data)).toEqual(['x', 'y']);
  });

  test('history: N replays the last N messages, validate converts or rejects', async () => {
    const { client, server } = createTestClient();
    for (let i = 1; i <= 5; i++) server.publish('t', i);
    const seen: number[] = [];
    const errors: string[] = [];
    client.subscribe<number>('t', {
      history: 2,
      validate: (data) => {
        if (typeof data !== 'number' || data > 6) throw new Error('too big');
        return data * 10;
      },
      onMessage: (m) => seen.push(m.data),
      onError: (e) => errors.push(e.code),
    });
    await settle();
    server.publish('t', 6);
    server.publish('t', 7);
    await settle();
    expect(seen).toEqual([40, 50, 60]);
    expect(errors).toEqual(['bad_request']);
  });

  test('publish resolves with the ack and reuses the idempotency id', async () => {
    const { client, server } = createTestClient();
    client.subscribe('t', {});
    await settle();
    const ack = await client.publish('t', { a: 1 }, { id: 'k1' });
    expect(ack).toMatchObject({ id: 'k1', topic: 't', offset: 1, duplicate: false });
    const again = await client.publish('t', { a: 1 }, { id: 'k1' });
    expect(again).toMatchObject({ id: 'k1', offset: 1, duplicate: true });
    expect(server.published.map((p) => p.id)).toEqual(['k1', 'k1']);
    await expect(client.publish('bad topic', 1)).rejects.toMatchObject({ code: 'invalid_topic', retry: 'no_retry' });
  });

  test('a publish whose ack is lost is retried with the same id and delivered once', async () => {
    const { client, server } = createTestClient({ backoff: { baseMs: 10, capMs: 10 } });
    const seen: unknown[] = [];
    client.subscribe('t', { onMessage: (m) => seen.push(m.data) });
    await settle();
    // The first publish loads the publishing code; after that a publish is sent at once, before the drop.
    await client.publish('warm-up', 0);
    const pending = client.publish('t', 'once');
    server.drop();
    await vi.advanceTimersByTimeAsync(2000);
    const ack = await pending;
    expect(ack.duplicate).toBe(true);
    const sent = server.published.filter((request) => request.topic === 't');
    expect(sent).toHaveLength(2);
    expect(sent[0]!.id).toBe(sent[1]!.id);
    expect(seen).toEqual(['once']);
  });

  test('a publish asked for before the client closed, while the publishing code loads, rejects and sends nothing', async () => {
    const { client, server } = createTestClient();
    client.subscribe('t', {});
    await settle();
    const pending = client.publish('t', 'late').catch((error: unknown) => error);
    client.close();
    expect(await pending).toMatchObject({ code: 'disconnected', retry: 'no_retry', message: expect.stringContaining('before the publish was sent') });
    expect(server.published).toEqual([]);
  });

  test('scheduleBatch decides what one batch is', async () => {
    const flushes: (() => void)[] = [];
    const { client, server } = createTestClient({ scheduleBatch: (flush) => flushes.push(flush) });
    const batches: number[][] = [];
    client.subscribe<number>('t', { onBatch: (batch) => batches.push(batch.map((m) => m.data)) });
    await settle();
    for (let i = 1; i <= 5; i++) server.publish('t', i);
    await settle();
    expect(batches).toEqual([]);
    expect(flushes).toHaveLength(1);
    flushes[0]!();
    expect(batches).toEqual([[1, 2, 3, 4, 5]]);
  });

  test('a forbidden topic reaches onError and stops only that topic', async () => {
    const { client, server } = createTestClient();
    const errors: string[] = [];
    client.subscribe('secret', { onError: (e) => errors.push(e.code) });
    client.subscribe('open', {});
    await settle();
    server.error('secret', 'forbidden');
    await settle();
    expect(errors).toEqual(['forbidden']);
    expect(client.getState().status).toBe('open');
    expect(server.subscribers('open')).toBe(1);
  });

  test('GIVEN a retryable topic error THEN only that topic resubscribes with backoff, since its position', async () => {
    const { client, server } = createTestClient({ platform: { network: null, visibility: null, random: () => 0.5 }, backoff: { baseMs: 1000 } });
    const seen: number[] = [];
    const states: TopicState[] = [];
    const sub = client.subscribe<number>('t', { onMessage: (m) => seen.push(m.data), onTopicState: (s) => states.push(s) });
    await settle();
    server.publish('t', 1);
    await settle();
    server.error('t', 'broker_unavailable');
    await settle();
    expect(sub.state()).toMatchObject({ status: 'resubscribing', error: { code: 'broker_unavailable', topic: 't' }, nextRetryAt: Date.now() + 500 });
    // Published while the topic was down: replayed since its position once it is back.
    server.publish('t', 2);
    await vi.advanceTimersByTimeAsync(499);
    expect(server.subscribers('t')).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(sub.state()).toMatchObject({ status: 'live', error: null, recovered: true, nextRetryAt: null });
    expect(seen).toEqual([1, 2]);
    expect(states.map((s) => s.status)).toEqual(['live', 'resubscribing', 'resubscribing', 'live']);
    expect(server.attempts).toBe(1);
    // A second failure right after coming back backs off further (attempt 1: half of 2 s).
    server.error('t', 'internal');
    await settle();
    expect((sub.state().nextRetryAt ?? 0) - Date.now()).toBe(1000);
  });

  test('GIVEN a topic refused again and again with try_again_later THEN each resubscribe waits the hint plus jitter, not the growing backoff', async () => {
    const { client, server } = createTestClient({ platform: { network: null, visibility: null, random: () => 0.5 }, backoff: { baseMs: 1000 } });
    const sub = client.subscribe('t', {});
    await settle();
    const waits: number[] = [];
    for (let refusal = 0; refusal < 6; refusal++) {
      server.error('t', 'try_again_later', 'busy', 1000);
      await settle();
      waits.push((sub.state().nextRetryAt ?? 0) - Date.now());
      await vi.advanceTimersByTimeAsync(waits.at(-1)!);
      expect(sub.state().status).toBe('live');
    }
    // 1000 + half of max(1000, retry-now window 1000): the hub's pace, however often it refused.
    expect(waits).toEqual([1500, 1500, 1500, 1500, 1500, 1500]);
    // Any other hinted error still backs off: attempt 6 of 1 s base is 32 s, half of it 16 s.
    server.error('t', 'rate_limited', 'slow down', 1000);
    await settle();
    expect((sub.state().nextRetryAt ?? 0) - Date.now()).toBeGreaterThan(1500);
  });

  test('GIVEN a forbidden topic THEN its state stays failed and a new subscribe starts over', async () => {
    const { client, server } = createTestClient();
    const sub = client.subscribe('secret', {});
    await settle();
    server.error('secret', 'forbidden');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sub.state()).toMatchObject({ status: 'failed', error: { code: 'forbidden', retry: 'no_retry' } });
    expect(server.subscribers('secret')).toBe(0);
    const again = client.subscribe('secret', {});
    expect(again.state().status).toBe('subscribing');
    await settle();
    expect(again.state().status).toBe('live');
  });

  test('GIVEN a drain announcement THEN the client reconnects within the announced window', async () => {
    const { client, server } = createTestClient({ platform: { network: null, visibility: null, random: () => 0.25 } });
    client.subscribe('t', {});
    await settle();
    server.drain(8000);
    expect((client.getState().nextRetryAt ?? 0) - Date.now()).toBe(2000);
    await vi.advanceTimersByTimeAsync(2000);
    expect(server.attempts).toBe(2);
    expect(client.getState().status).toBe('open');
  });

  test('auth refused: stops with the error instead of retrying', async () => {
    const { client, server } = createTestClient();
    server.fail('unauthorized');
    client.subscribe('t', {});
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.attempts).toBe(1);
    expect(client.getState()).toMatchObject({ status: 'closed', error: { code: 'unauthorized', retry: 'no_retry' } });
    server.fail(null);
    client.connect();
    await settle();
    expect(client.getState().status).toBe('open');
  });

  test('getToken runs before every attempt', async () => {
    let n = 0;
    const { client, server } = createTestClient({ getToken: async () => `token-${++n}`, backoff: { baseMs: 10, capMs: 10 } });
    client.subscribe('t', {});
    await settle();
    server.drop('token_expired');
    await settle();
    expect(server.tokens).toEqual(['token-1', 'token-2']);
    expect(client.getState().status).toBe('open');
  });

  test('setState forces what the state observers see', async () => {
    const { client, server } = createTestClient();
    const seen: string[] = [];
    client.onState((s) => seen.push(s.status));
    server.setState({ status: 'reconnecting', nextRetryAt: 4000 });
    expect(client.getState()).toMatchObject({ status: 'reconnecting', nextRetryAt: 4000 });
    server.setState(null);
    expect(seen).toEqual(['reconnecting', 'idle']);
  });

  test('constructing touches no global and connects nothing', () => {
    const { client, server } = createTestClient();
    expect(client.getState().status).toBe('idle');
    expect(server.attempts).toBe(0);
  });
});
