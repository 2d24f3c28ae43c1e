/**
 * Long-poll answers are bounded by bytes (`pollAnswerMaxBytes`), not only by message count: a poll of a
 * topic of big messages answers about a budget's worth with `more: true`, and the cursor continues exactly
 * after the last message sent, so nothing is lost or repeated — for one topic, several, and the core client.
 */
import { createBaseClient, longPollTransport } from '@qwik-realtime/core';
import type { RealtimeClient } from '@qwik-realtime/core';
import { decodeCursor } from '@qwik-realtime/core/protocol';
import type { PollResponse } from '@qwik-realtime/core/protocol';
import { afterEach, describe, expect, test } from 'vitest';
import { fastClientOptions, nodePlatform, startClientHub, until } from './client-fixtures.js';
import type { ClientTestHub } from './client-fixtures.js';
import { startHubServer } from './helpers/index.js';
import type { TestHubServer } from './helpers/index.js';
import { closeOpened } from './hardening-hostile-server.js';

const MiB = 1024 * 1024;
/** About 60 KB of JSON per message. */
const pad = 'x'.repeat(60_000);

let server: TestHubServer | undefined;
let clientHub: ClientTestHub | undefined;
let client: RealtimeClient | undefined;
afterEach(async () => {
  await closeOpened({ client, server, hub: clientHub });
  client = server = clientHub = undefined;
});

interface Answer extends PollResponse {
  /** UTF-8 bytes of the whole answer body. */
  size: number;
}

async function poll(base: string, query: string): Promise<Answer> {
  const text = await (await fetch(`${base}/poll?${query}&timeout=0`)).text();
  return { ...(JSON.parse(text) as PollResponse), size: Buffer.byteLength(text) };
}

/** Poll `topics` from `query` until an answer says `more: false`; every answer and every offset per topic. */
async function drain(base: string, topics: string[], query: string, maxPolls: number) {
  const answers: Answer[] = [];
  const offsets: Record<string, number[]> = Object.fromEntries(topics.map((topic) => [topic, []]));
  const topicQuery = topics.map((topic) => `topic=${topic}`).join('&');
  let cursorQuery = query;
  for (let i = 0; i < maxPolls; i++) {
    const answer = await poll(base, `${topicQuery}&${cursorQuery}`);
    answers.push(answer);
    for (const message of answer.messages) offsets[message.topic]!.push(message.offset);
    if (!answer.more) break;
    cursorQuery = `cursor=${encodeURIComponent(answer.cursor)}`;
  }
  return { answers, offsets };
}

const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

async function seed(hub: TestHubServer['hub'], topic: string, count: number): Promise<string> {
  let epoch = '';
  for (let i = 1; i <= count; i++) epoch = (await hub.publish(topic, { i, pad })).epoch;
  return epoch;
}

describe('GIVEN a topic of 200 messages of 60 KB (12 MB) and the default pollAnswerMaxBytes (1 MiB)', () => {
  test('WHEN a first poll asks for all of it THEN each answer stays within 1 MiB, says more: true until the end, and the polls get every message once, in order', async () => {
    server = await startHubServer();
    await seed(server.hub, 'big', 200);
    const { answers, offsets } = await drain(server.base, ['big'], 'history=200', 50);
    expect(answers.at(-1)!.more).toBe(false);
    expect(offsets.big).toEqual(upTo(200));
    expect(answers[0]!.subscriptions).toMatchObject([{ topic: 'big', recovered: true, replayed: 200 }]);
    for (const answer of answers.slice(0, -1)) expect(answer.more).toBe(true);
    // The messages of an answer fit the budget; cursor and subscriptions add a few hundred bytes.
    for (const answer of answers) expect(answer.size).toBeLessThan(MiB + 4096);
    expect(answers.length).toBeGreaterThanOrEqual(12);
  });

  test('WHEN a poll resumes from offset 0 THEN the same holds, and each cursor sits on the last message sent', async () => {
    server = await startHubServer();
    const epoch = await seed(server.hub, 'big', 200);
    const { answers, offsets } = await drain(server.base, ['big'], `cursor=${encodeURIComponent(`${epoch};big=0`)}`, 50);
    expect(offsets.big).toEqual(upTo(200));
    for (const answer of answers) {
      expect(answer.size).toBeLessThan(MiB + 4096);
      if (answer.messages.length > 0) expect(decodeCursor(answer.cursor)!.big!.offset).toBe(answer.messages.at(-1)!.offset);
    }
  });
});

describe('GIVEN pollAnswerMaxBytes 1000 and messages of 60 KB', () => {
  test('WHEN a client polls THEN every answer carries exactly one message (the first always fits) and the polls still make progress', async () => {
    server = await startHubServer({ pollAnswerMaxBytes: 1000 });
    await seed(server.hub, 'big', 5);
    const { answers, offsets } = await drain(server.base, ['big'], 'history=5', 20);
    expect(offsets.big).toEqual(upTo(5));
    expect(answers.map((answer) => [answer.messages.length, answer.more])).toEqual([
      [1, true],
      [1, true],
      [1, true],
      [1, true],
      [1, false],
    ]);
  });

  test('WHEN a resumed poll of a and b spends the whole budget on a, which it empties THEN the answer still says more: true for b and the next one brings b', async () => {
    server = await startHubServer({ pollAnswerMaxBytes: 1000 });
    const epoch = await seed(server.hub, 'a', 1);
    await seed(server.hub, 'b', 1);
    const { answers, offsets } = await drain(server.base, ['a', 'b'], `cursor=${encodeURIComponent(`${epoch};a=0,b=0`)}`, 5);
    expect(answers.map((answer) => [answer.messages.map((message) => message.topic), answer.more])).toEqual([
      [['a'], true],
      [['b'], false],
    ]);
    expect(offsets).toEqual({ a: [1], b: [1] });
  });
});

describe('GIVEN topics a and b of 40 messages of 60 KB each (2.4 MB for a 1 MiB budget)', () => {
  test('WHEN a first poll replays both THEN b, left without room, is not truncated: more: true, its position just before its replay, and the polls get both topics whole', async () => {
    server = await startHubServer();
    await seed(server.hub, 'a', 40);
    await seed(server.hub, 'b', 40);
    const { answers, offsets } = await drain(server.base, ['a', 'b'], 'history=40', 50);
    const first = answers[0]!;
    expect(first.messages.every((message) => message.topic === 'a')).toBe(true);
    expect(first.more).toBe(true);
    expect(decodeCursor(first.cursor)!.b!.offset).toBe(0);
    expect(offsets).toEqual({ a: upTo(40), b: upTo(40) });
    for (const answer of answers) expect(answer.size).toBeLessThan(MiB + 4096);
    for (const answer of answers.slice(0, -1)) expect(answer.more).toBe(true);
  });

  test('WHEN a poll resumes both from offset 0 THEN an answer that cuts a topic says more: true, and the polls get both topics whole, in order', async () => {
    server = await startHubServer();
    const epoch = await seed(server.hub, 'a', 40);
    await seed(server.hub, 'b', 40);
    const bEpoch = (await server.hub.publish('b', { i: 41, pad })).epoch;
    const cursor = encodeURIComponent(`${epoch};a=0,b=0`);
    expect(bEpoch).toBe(epoch);
    const { answers, offsets } = await drain(server.base, ['a', 'b'], `cursor=${cursor}`, 50);
    expect(offsets).toEqual({ a: upTo(40), b: upTo(41) });
    for (const answer of answers) expect(answer.size).toBeLessThan(MiB + 4096);
    for (const answer of answers.slice(0, -1)) expect(answer.more).toBe(true);
    // One answer holds the end of a and the start of b: a's cut does not hide b's backlog.
    expect(answers.some((answer) => new Set(answer.messages.map((message) => message.topic)).size === 2)).toBe(true);
  });
});

describe('GIVEN a core long-poll client whose answers are read with a 2 MiB bound (maxAnswerLength)', () => {
  test('WHEN it resumes a topic of 200 messages of 60 KB from offset 0 THEN it receives every one exactly once, in order', async () => {
    clientHub = await startClientHub();
    const hub = clientHub.hub;
    let epoch = '';
    for (let i = 1; i <= 200; i++) epoch = (await hub.publish('big', { i, pad })).epoch;
    client = createBaseClient({
      url: clientHub.url,
      // 12 MB in one answer would be refused by this client (and retried forever): only a bounded hub gets through.
      transports: [longPollTransport({ maxAnswerLength: 2 * MiB })],
      platform: nodePlatform,
      ...fastClientOptions,
    });
    const got: number[] = [];
    client.subscribe<{ i: number }>('big', { since: { offset: 0, epoch }, onMessage: (message) => got.push(message.data.i) });
    await until(() => got.length >= 200, '200 messages', 15_000);
    await hub.publish('big', { i: 201, pad });
    await until(() => got.length >= 201, 'the live message after the backlog', 15_000);
    expect(got).toEqual(upTo(201));
  });
});
