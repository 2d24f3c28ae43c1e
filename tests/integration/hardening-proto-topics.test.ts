import { decodeCursor, encodeCursor } from '@qwik-realtime/core/protocol';
import type { PollResponse } from '@qwik-realtime/core/protocol';
import { afterEach, describe, expect, test } from 'vitest';
import { openSse, openWs, startHubServer } from './helpers/index.js';
import type { TestHubServer } from './helpers/index.js';

// Decision (docs/protocol.md, Topics): names that are Object.prototype keys are ordinary, valid topics.
const PROTO_TOPICS = ['constructor', '__proto__', 'toString', 'hasOwnProperty'];

let server: TestHubServer;
afterEach(() => server?.close());

async function seed(topic: string, count: number) {
  let epoch = '';
  for (let i = 1; i <= count; i++) epoch = (await server.hub.publish(topic, `m${i}`)).epoch;
  return epoch;
}

describe.each(PROTO_TOPICS)('GIVEN the topic %s with 5 stored messages', (topic) => {
  test('WHEN SSE asks history=2 THEN 2 are replayed; WHEN it resumes from the last id THEN the cursor names the topic and the gap is replayed', async () => {
    server = await startHubServer();
    await seed(topic, 5);
    const first = await openSse(`${server.base}/sse?topic=${topic}&history=2`);
    const subscribed = await first.events.take((e) => e.event === 'subscribed');
    expect(subscribed.json).toMatchObject({ topic, recovered: true, replayed: 2 });
    const replay = [await first.events.take((e) => e.event === 'message'), await first.events.take((e) => e.event === 'message')];
    expect(replay.map((e) => e.json.data)).toEqual(['m4', 'm5']);
    const lastId = replay[1]!.id!;
    expect(Object.keys(decodeCursor(lastId)!)).toEqual([topic]);
    first.close();
    await server.hub.publish(topic, 'm6');
    const resumed = await openSse(`${server.base}/sse?topic=${topic}`, { headers: { 'last-event-id': lastId } });
    expect((await resumed.events.take((e) => e.event === 'subscribed')).json).toMatchObject({ topic, recovered: true, replayed: 1 });
    expect((await resumed.events.take((e) => e.event === 'message')).json.data).toBe('m6');
    resumed.close();
  });

  test('WHEN WebSocket subscribes with history=2, then with since THEN both replay exactly', async () => {
    server = await startHubServer();
    const epoch = await seed(topic, 5);
    const client = await openWs(server.wsUrl);
    client.send({ type: 'subscribe', topic, history: 2 });
    expect(await client.frames.take((f) => f.type === 'subscribed')).toMatchObject({ topic, replayed: 2 });
    expect((await client.frames.take((f) => f.type === 'message')).data).toBe('m4');
    client.send({ type: 'subscribe', topic, since: { offset: 3, epoch } });
    expect(await client.frames.take((f) => f.type === 'subscribed')).toMatchObject({ topic, recovered: true, replayed: 2 });
    expect((await client.frames.take((f) => f.type === 'message')).data).toBe('m4');
    expect(server.hub.stats().topics[topic]).toBe(1);
    expect(Object.keys(server.hub.stats().topics)).toEqual([topic]);
    client.close();
  });

  test('WHEN long-poll asks history=2 THEN 2 come back; WHEN it polls on with the cursor THEN it waits for the next message instead of answering at once', async () => {
    server = await startHubServer();
    await seed(topic, 5);
    const first = (await (await fetch(`${server.base}/poll?topic=${topic}&history=2`)).json()) as PollResponse;
    expect(first.messages.map((m) => m.data)).toEqual(['m4', 'm5']);
    expect(Object.keys(decodeCursor(first.cursor)!)).toEqual([topic]);
    // A cursor that lost the topic would answer at once with `subscriptions` (the hot loop of issue 9).
    const waiting = fetch(`${server.base}/poll?topic=${topic}&cursor=${encodeURIComponent(first.cursor)}&timeout=5000`).then((r) => r.json() as Promise<PollResponse>);
    await expect.poll(() => server.hub.stats().connections.poll).toBe(1);
    await server.hub.publish(topic, 'm6');
    const next = await waiting;
    expect(next.subscriptions).toBeUndefined();
    expect(next.messages.map((m) => m.data)).toEqual(['m6']);
    expect(encodeCursor(decodeCursor(next.cursor)!)).toBe(next.cursor);
  });
});
