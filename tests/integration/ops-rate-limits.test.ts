import type { TransportName } from '@qwik-realtime/core';
import { afterEach, describe, expect, test } from 'vitest';
import { fastClient, startClientHub, until } from './client-fixtures.js';
import type { ClientTestHub } from './client-fixtures.js';
import { openWs, publishHttp, startHubServer } from './helpers/index.js';
import type { TestHubServer, WsClient } from './helpers/index.js';

// The hub's clock, moved by hand: token buckets refill only when a test says so.
let clock = 1_000_000;
const now = () => clock;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(options: Parameters<typeof startHubServer>[0]): Promise<TestHubServer> {
  const server = await startHubServer({ now, ...options });
  cleanups.push(() => server.close());
  return server;
}

async function connect(server: TestHubServer): Promise<WsClient> {
  const ws = await openWs(server.wsUrl);
  cleanups.push(() => ws.close());
  expect((await ws.frames.take()).type).toBe('hello');
  return ws;
}

const publishFrame = (ref: string, topic = 'room') => ({ type: 'publish', ref, topic, data: ref });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('GIVEN per-connection publish buckets (1/s, burst 3)', () => {
  const options = { connectionPublishesPerSecond: 1, connectionPublishBurst: 3 };

  test('WHEN a WebSocket sends 5 publishes THEN 3 are acked, 2 get rate_limited with retryAfterMs; another connection has its own bucket', async () => {
    const server = await serve(options);
    const ws = await connect(server);
    for (let i = 0; i < 5; i++) ws.send(publishFrame(`p${i}`));
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await ws.frames.take());
    expect(answers.map((a) => a.type)).toEqual(['ack', 'ack', 'ack', 'error', 'error']);
    for (const refused of answers.slice(3)) expect(refused).toMatchObject({ code: 'rate_limited', topic: 'room', retryAfterMs: 1000 });
    expect(server.hub.stats().rateLimited).toEqual({ connection: 2, topic: 0, address: 0 });

    const other = await connect(server);
    other.send(publishFrame('q'));
    expect((await other.frames.take()).type).toBe('ack');
    clock += 1000;
    ws.send(publishFrame('p5'));
    expect((await ws.frames.take()).type).toBe('ack');
  });

  test('WHEN one client POSTs 5 publishes THEN 3 are accepted, 2 get 429 rate_limited with retryAfterMs (a connection refusal, not an address one)', async () => {
    const server = await serve(options);
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await publishHttp(server.base, { topic: 'room', data: i }));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429, 429]);
    expect(answers[3]!.body).toMatchObject({ code: 'rate_limited', retryAfterMs: 1000 });
    expect(server.hub.stats().rateLimited).toEqual({ connection: 2, topic: 0, address: 0 });
  });
});

test('GIVEN a per-topic bucket (1/s, burst 2) WHEN publishers on WebSocket and POST share a topic THEN the third is refused for the topic; other topics and hub.publish go on', async () => {
  const server = await serve({ topicPublishesPerSecond: 1, topicPublishBurst: 2 });
  const ws = await connect(server);
  ws.send(publishFrame('a', 'hot'));
  expect((await ws.frames.take()).type).toBe('ack');
  expect((await publishHttp(server.base, { topic: 'hot', data: 1 })).status).toBe(200);
  ws.send(publishFrame('b', 'hot'));
  expect(await ws.frames.take()).toMatchObject({ type: 'error', code: 'rate_limited', topic: 'hot', ref: 'b', retryAfterMs: 1000 });
  expect(await publishHttp(server.base, { topic: 'hot', data: 2 })).toMatchObject({ status: 429, body: { code: 'rate_limited', topic: 'hot' } });
  ws.send(publishFrame('c', 'cold'));
  expect((await ws.frames.take()).type).toBe('ack');
  await expect(server.hub.publish('hot', 'from the server')).resolves.toMatchObject({ topic: 'hot' });
  expect(server.hub.stats().rateLimited).toEqual({ connection: 0, topic: 2, address: 0 });
});

describe('GIVEN per-connection subscribe buckets (1/s, burst 2)', () => {
  const options = { connectionSubscribesPerSecond: 1, connectionSubscribeBurst: 2 };

  test('WHEN a WebSocket subscribes 3 topics THEN the third gets a topic error rate_limited with retryAfterMs', async () => {
    const server = await serve(options);
    const ws = await connect(server);
    for (const topic of ['a', 'b', 'c']) ws.send({ type: 'subscribe', topic });
    expect(await ws.frames.take()).toMatchObject({ type: 'subscribed', topic: 'a' });
    expect(await ws.frames.take()).toMatchObject({ type: 'subscribed', topic: 'b' });
    expect(await ws.frames.take()).toMatchObject({ type: 'error', code: 'rate_limited', topic: 'c', retryAfterMs: 1000 });
    expect(server.hub.stats().rateLimited.connection).toBe(1);
  });

  test('WHEN a long-poll client connects with 3 topics, keeps polling, adds 2 then 1 more THEN only added topics cost: the last gets 429 with retryAfterMs', async () => {
    const server = await serve(options);
    const poll = async (topics: string[], cursor?: string) => {
      const query = topics.map((topic) => `topic=${topic}`).join('&') + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : '');
      const response = await fetch(`${server.base}/poll?${query}&timeout=0`);
      return { status: response.status, body: (await response.json()) as any };
    };
    // A first poll is a connect (bounded by the handshake cap), free whatever its topics.
    const first = await poll(['a', 'b', 'c']);
    expect(first.status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await poll(['a', 'b', 'c'], first.body.cursor)).status).toBe(200);
    const grown = await poll(['a', 'b', 'c', 'd', 'e'], first.body.cursor);
    expect(grown.status).toBe(200);
    const refused = await poll(['a', 'b', 'c', 'd', 'e', 'f'], grown.body.cursor);
    expect(refused).toMatchObject({ status: 429, body: { code: 'rate_limited', topic: 'f', retryAfterMs: 1000 } });
    expect(server.hub.stats().rateLimited.connection).toBe(1);
  });
});

test('GIVEN the WebSocket frame bucket (1/s, burst 2) WHEN a subscribe and a publish are refused by it THEN each is answered for its topic (and ref) with retryAfterMs, and the publish is a dead letter', async () => {
  const letters: unknown[] = [];
  const server = await serve({ inboundFramesPerSecond: 1, inboundFrameBurst: 2, onDeadLetter: (letter) => letters.push(letter) });
  const ws = await connect(server);
  for (const topic of ['a', 'b', 'c']) ws.send({ type: 'subscribe', topic });
  ws.send(publishFrame('p', 'b'));
  // Refusals are answered at once, accepted frames after their handling: compare as a set.
  const frames = [];
  for (let i = 0; i < 4; i++) frames.push(await ws.frames.take());
  expect(frames).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ type: 'subscribed', topic: 'a' }),
      expect.objectContaining({ type: 'subscribed', topic: 'b' }),
      expect.objectContaining({ type: 'error', code: 'rate_limited', topic: 'c', retryAfterMs: 1000 }),
      expect.objectContaining({ type: 'error', code: 'rate_limited', topic: 'b', ref: 'p', retryAfterMs: 1000 }),
    ]),
  );
  expect(letters).toEqual([expect.objectContaining({ reason: 'rate_limited', topic: 'b', data: 'p', transport: 'ws' })]);
  expect(server.hub.stats().rateLimited.connection).toBe(2);
});

// Refused operations are counted by the hub; a client that honours `retryAfterMs` (2 s here, the hub's clock
// frozen) makes at most one more attempt in a window shorter than that, however loaded the machine is.
const RETRY_AFTER_MS = 2000;
const WINDOW_MS = 1500;

async function attemptsInWindow(hub: ClientTestHub['hub']): Promise<{ extra: number; bound: number }> {
  await until(() => hub.stats().rateLimited.connection >= 1, 'the first refusal');
  const before = hub.stats().rateLimited.connection;
  const started = Date.now();
  await sleep(WINDOW_MS);
  return { extra: hub.stats().rateLimited.connection - before, bound: Math.ceil((Date.now() - started) / RETRY_AFTER_MS) };
}

describe('GIVEN the real core client WHEN the hub refuses it with retryAfterMs', () => {
  const limits = { connectionPublishesPerSecond: 1000 / RETRY_AFTER_MS, connectionPublishBurst: 1, connectionSubscribesPerSecond: 1000 / RETRY_AFTER_MS, connectionSubscribeBurst: 1 };

  test.each(['websocket', 'sse', 'fetch-sse', 'long-poll'] as TransportName[])('%s: a refused publish is retried no sooner than retryAfterMs and goes through once the bucket refills', async (name) => {
    const hub = await startClientHub({ now, allowQueryToken: true, ...limits });
    cleanups.push(() => hub.close());
    const client = fastClient(name, hub.url, { publishRetries: 50 });
    cleanups.push(() => client.close());
    const live = client.subscribe('room', {});
    await until(() => live.state().status === 'live', 'room live');
    await client.publish('room', 'first');
    const second = client.publish('room', 'second');
    const { extra, bound } = await attemptsInWindow(hub.hub);
    expect(extra).toBeLessThanOrEqual(bound);
    clock += RETRY_AFTER_MS;
    await expect(second).resolves.toMatchObject({ topic: 'room' });
  });

  test.each(['websocket', 'long-poll'] as TransportName[])('%s: a refused subscribe is retried no sooner than retryAfterMs and goes live once the bucket refills', async (name) => {
    const hub = await startClientHub({ now, ...limits });
    cleanups.push(() => hub.close());
    const client = fastClient(name, hub.url);
    cleanups.push(() => client.close());
    // The WebSocket's first subscribe takes the one token; a long-poll's first poll is a free connect, and the
    // topic it adds next takes the token.
    for (const topic of name === 'long-poll' ? ['a', 'b'] : ['a']) {
      const warm = client.subscribe(topic, {});
      await until(() => warm.state().status === 'live', `${topic} live`);
    }
    const second = client.subscribe('c', {});
    const { extra, bound } = await attemptsInWindow(hub.hub);
    expect(extra).toBeLessThanOrEqual(bound);
    expect(second.state().status).not.toBe('failed');
    clock += RETRY_AFTER_MS;
    await until(() => second.state().status === 'live', 'c live', 15_000);
  });
});
