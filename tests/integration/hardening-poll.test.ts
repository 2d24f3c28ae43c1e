import { decodeCursor } from '@qwik-realtime/core/protocol';
import type { Envelope, PollResponse } from '@qwik-realtime/core/protocol';
import { createMemoryBroker } from '@qwik-realtime/server';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { openSse, openWs, startHubServer } from './helpers/index.js';
import type { TestHubServer } from './helpers/index.js';

let server: TestHubServer;
afterEach(async () => {
  vi.useRealTimers();
  await server?.close();
});

const poll = async (query: string) => (await (await fetch(`${server.base}/poll?${query}`)).json()) as PollResponse;

async function seed(topics: string[], count: number) {
  for (const topic of topics) for (let i = 1; i <= count; i++) await server.hub.publish(topic, `${topic}${i}`);
}

describe('GIVEN pollBatchSize 5 and history=3 on topics a and b (6 messages for a batch of 5)', () => {
  test('WHEN the first poll answers THEN it says more: true and the next poll continues exactly; nothing is lost', async () => {
    server = await startHubServer({ pollBatchSize: 5 });
    await seed(['a', 'b'], 4);
    const first = await poll('topic=a&topic=b&history=3&timeout=0');
    expect(first.messages.map((m) => m.data)).toEqual(['a2', 'a3', 'a4', 'b2', 'b3']);
    expect(first.more).toBe(true);
    expect(first.subscriptions?.map((s) => [s.topic, s.replayed])).toEqual([
      ['a', 3],
      ['b', 3],
    ]);
    const next = await poll(`topic=a&topic=b&history=3&timeout=0&cursor=${encodeURIComponent(first.cursor)}`);
    expect(next.messages.map((m) => m.data)).toEqual(['b4']);
    expect(next.more).toBe(false);
    expect(next.subscriptions).toBeUndefined();
  });

  test('WHEN a topic gets no room at all in the first answer THEN its position is just before its replay', async () => {
    server = await startHubServer({ pollBatchSize: 3 });
    await seed(['a', 'b'], 4);
    const first = await poll('topic=a&topic=b&history=3&timeout=0');
    expect(first.messages.map((m) => m.data)).toEqual(['a2', 'a3', 'a4']);
    expect(first.more).toBe(true);
    expect(decodeCursor(first.cursor)!.b!.offset).toBe(1);
    const next = await poll(`topic=a&topic=b&timeout=0&cursor=${encodeURIComponent(first.cursor)}`);
    expect(next.messages.map((m) => m.data)).toEqual(['b2', 'b3', 'b4']);
  });
});

describe('GIVEN replays longer than a history page (500 messages) on two topics', () => {
  test.each(['sse', 'ws'] as const)('WHEN %s resumes both topics from offset 0 THEN every message of both arrives, in order', async (transport) => {
    server = await startHubServer({ broker: createMemoryBroker({ historySize: 2000 }) });
    await Promise.all(['a', 'b'].map(async (topic) => {
      for (let i = 1; i <= 1200; i++) await server.hub.publish(topic, i);
    }));
    const { epoch } = await server.hub.publish('a', 1201);
    const got: Record<string, number[]> = { a: [], b: [] };
    const total = 2401;
    if (transport === 'sse') {
      const stream = await openSse(`${server.base}/sse?topic=a&topic=b&since=${encodeURIComponent(`${epoch};a=0,b=0`)}`);
      const events = await stream.events.count(total + 3, 20_000);
      for (const e of events) if (e.event === 'message') got[e.json.topic]!.push(e.json.offset);
      stream.close();
    } else {
      const client = await openWs(server.wsUrl);
      for (const topic of ['a', 'b']) client.send({ type: 'subscribe', topic, since: { offset: 0, epoch } });
      const frames = await client.frames.count(total + 3, 20_000);
      for (const f of frames as (Envelope & { type: string })[]) if (f.type === 'message') got[f.topic]!.push(f.offset);
      client.close();
    }
    expect(got.a).toEqual(Array.from({ length: 1201 }, (_, i) => i + 1));
    expect(got.b).toEqual(Array.from({ length: 1200 }, (_, i) => i + 1));
  });
});

describe('GIVEN heartbeatMs 1000 and pollTimeoutMs 9000', () => {
  test('WHEN an idle long-poll waits the full 9 s THEN its answer announces a heartbeatMs the client watchdog can honour (>= the wait)', async () => {
    server = await startHubServer({ heartbeatMs: 1000, pollTimeoutMs: 9000 });
    const first = await poll('topic=idle');
    expect(first.heartbeatMs).toBeGreaterThanOrEqual(9000);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const waiting = poll(`topic=idle&cursor=${encodeURIComponent(first.cursor)}`);
    for (let i = 0; i < 200 && server.hub.stats().connections.poll === 0; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(server.hub.stats().connections.poll).toBe(1);
    await vi.advanceTimersByTimeAsync(8999);
    expect(server.hub.stats().connections.poll).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    const answer = await waiting;
    expect(answer.messages).toEqual([]);
    // The client's watchdog fires after heartbeatMs + its grace without an answer: 9 s of waiting must fit.
    expect(answer.heartbeatMs).toBeGreaterThanOrEqual(9000);
  });
});
