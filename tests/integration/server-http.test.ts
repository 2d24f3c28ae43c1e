import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeCursor } from '@qwik-realtime/core/protocol';
import { createHub, createMemoryBroker, createNodeHandler } from '@qwik-realtime/server';
import type { PollResponse } from '@qwik-realtime/core/protocol';
import { afterEach, describe, expect, test } from 'vitest';
import { openSse, publishHttp, startHubServer } from './helpers/index.js';
import type { TestHubServer } from './helpers/index.js';

interface User {
  name: string;
}

let server: TestHubServer<any>;
afterEach(async () => {
  await server?.close();
});

const authed = () =>
  startHubServer<User>({
    maxMessageBytes: 1024,
    maxTopicsPerConnection: 3,
    authenticate: ({ token, cookies }) => (token === 'good' || cookies.sid === 'good' ? { name: 'ann' } : null),
    authorize: (_user, _action, topic) => !topic.startsWith('secret'),
  });
const good = { authorization: 'Bearer good' };

describe('SSE status codes', () => {
  test.each([
    ['no topic', '', good, 204, undefined],
    ['an invalid topic', '?topic=bad%20topic', good, 400, 'invalid_topic'],
    ['too many topics', '?topic=a&topic=b&topic=c&topic=d', good, 400, 'too_many_topics'],
    ['a bad history', '?topic=a&history=-1', good, 400, 'bad_request'],
    ['no credentials', '?topic=a', {}, 401, 'unauthorized'],
    ['a forbidden topic', '?topic=a&topic=secret:x', good, 403, 'forbidden'],
  ])('GIVEN %s THEN %i', async (_label, query, headers, status, code) => {
    server = await authed();
    const response = await fetch(`${server.base}/sse${query}`, { headers });
    expect(response.status).toBe(status);
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
    if (code) expect(await response.json()).toMatchObject({ code });
  });

  test('a cookie authenticates; a token in the URL is ignored unless the app opts in', async () => {
    server = await authed();
    const viaCookie = await openSse(`${server.base}/sse?topic=a`, { headers: { cookie: 'sid=good' } });
    expect(viaCookie.status).toBe(200);
    viaCookie.close();
    expect((await fetch(`${server.base}/sse?topic=a&token=good`)).status).toBe(401);
  });

  test('a malformed Last-Event-ID starts fresh instead of failing', async () => {
    server = await startHubServer();
    await server.hub.publish('a', 1);
    const stream = await openSse(`${server.base}/sse?topic=a`, { headers: { 'last-event-id': 'garbage' } });
    expect((await stream.events.take((e) => e.event === 'subscribed')).json).toMatchObject({ recovered: true, position: { offset: 1 } });
    stream.close();
  });

  test('history=N replays the last N messages of topics without a position', async () => {
    server = await startHubServer();
    for (let n = 1; n <= 4; n++) await server.hub.publish('a', n);
    const stream = await openSse(`${server.base}/sse?topic=a&history=2`);
    expect((await stream.events.take((e) => e.event === 'subscribed')).json).toMatchObject({ replayed: 2, position: { offset: 2 } });
    expect([(await stream.events.take()).json.data, (await stream.events.take()).json.data]).toEqual([3, 4]);
    stream.close();
  });
});

describe('publish', () => {
  test.each([
    ['malformed JSON', '{"topic":', 'application/json', 400, 'bad_request'],
    ['a non-JSON content type', '{"topic":"a","data":1}', 'text/plain', 400, 'bad_request'],
    ['a missing data', '{"topic":"a"}', 'application/json', 400, 'bad_request'],
    ['an invalid topic', '{"topic":"a b","data":1}', 'application/json', 400, 'invalid_topic'],
    ['a bad id', '{"topic":"a","data":1,"id":5}', 'application/json', 400, 'bad_request'],
    ['data over maxMessageBytes', JSON.stringify({ topic: 'a', data: 'x'.repeat(2000) }), 'application/json', 413, 'message_too_large'],
    ['a body over the frame limit', JSON.stringify({ topic: 'a', data: 'x'.repeat(100_000) }), 'application/json', 413, 'message_too_large'],
    ['a forbidden topic', '{"topic":"secret:x","data":1}', 'application/json', 403, 'forbidden'],
  ])('GIVEN %s THEN %i %s, and a subscriber keeps being served', async (_label, body, type, status, code) => {
    server = await authed();
    const stream = await openSse(`${server.base}/sse?topic=a`, { headers: good });
    await stream.events.take((e) => e.event === 'subscribed');
    const answer = await publishHttp(server.base, body, { ...good, 'content-type': type });
    expect(answer).toMatchObject({ status, body: { code } });
    expect((await publishHttp(server.base, { topic: 'a', data: 'ok' }, good)).status).toBe(200);
    expect((await stream.events.take((e) => e.event === 'message')).json.data).toBe('ok');
    stream.close();
  });

  test('no credentials: 401; a repeated id: duplicate with the first position', async () => {
    server = await authed();
    expect((await publishHttp(server.base, { topic: 'a', data: 1 })).status).toBe(401);
    const first = await publishHttp(server.base, { topic: 'a', data: 1, id: 'k1' }, good);
    const again = await publishHttp(server.base, { topic: 'a', data: 1, id: 'k1' }, good);
    expect(again.body).toEqual({ ...first.body, duplicate: true });
  });

  test('a publish flood from one address answers 429 rate_limited', async () => {
    server = await startHubServer({ inboundFramesPerSecond: 0.01, inboundFrameBurst: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await publishHttp(server.base, { topic: 'a', data: i })).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });

  test('a broker failure answers 503 broker_unavailable with Retry-After', async () => {
    const { createMemoryBroker } = await import('@qwik-realtime/server');
    const memory = createMemoryBroker();
    server = await startHubServer({ broker: { ...memory, publish: async () => Promise.reject(new Error('down')) } });
    const response = await fetch(`${server.base}/publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"topic":"a","data":1}' });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toMatchObject({ code: 'broker_unavailable' });
  });
});

describe('long-poll', () => {
  const poll = async (query: string) => {
    const response = await fetch(`${server.base}/poll?${query}`);
    return { status: response.status, body: (await response.json()) as PollResponse };
  };

  test('first poll answers at once with subscriptions; a cursor poll waits for the next message; a lost answer is re-polled', async () => {
    server = await startHubServer();
    await server.hub.publish('a', 0);
    const first = await poll('topic=a&topic=b');
    expect(first.body).toMatchObject({ messages: [], more: false, heartbeatMs: 15000 });
    expect(first.body.subscriptions?.map((s) => [s.topic, s.recovered, s.position.offset])).toEqual([
      ['a', true, 1],
      ['b', true, 0],
    ]);
    const waiting = poll(`topic=a&topic=b&cursor=${encodeURIComponent(first.body.cursor)}`);
    await expect.poll(() => server.hub.stats().connections.poll).toBe(1);
    await server.hub.publish('b', 'hello');
    const second = await waiting;
    expect(second.body.messages.map((m) => m.data)).toEqual(['hello']);
    expect(second.body.subscriptions).toBeUndefined();
    // The answer was "lost": the same cursor gets the same message again.
    const again = await poll(`topic=a&topic=b&cursor=${encodeURIComponent(first.body.cursor)}`);
    expect(again.body.messages.map((m) => m.id)).toEqual(second.body.messages.map((m) => m.id));
  });

  test('a message published while the poll sets up its live listener is answered, not skipped', async () => {
    const memory = createMemoryBroker();
    let during: (() => Promise<unknown>) | undefined;
    // A broker whose live subscription takes a round trip, during which another instance publishes.
    const broker = {
      ...memory,
      async subscribe(topic: string, listener: Parameters<typeof memory.subscribe>[1]) {
        await during?.();
        return memory.subscribe(topic, listener);
      },
    };
    server = await startHubServer({ broker, topicLingerMs: 0 });
    const first = await poll('topic=a');
    during = () => memory.publish('a', { id: 'in-between', data: 1, timestamp: Date.now() });
    const { body } = await poll(`topic=a&timeout=2000&cursor=${encodeURIComponent(first.body.cursor)}`);
    expect(body.messages.map((m) => m.id)).toEqual(['in-between']);
  });

  test('timeout with nothing new answers with no messages and the same positions', async () => {
    server = await startHubServer();
    const first = await poll('topic=a');
    const idle = await poll(`topic=a&timeout=50&cursor=${encodeURIComponent(first.body.cursor)}`);
    expect(idle.body).toMatchObject({ messages: [], more: false, cursor: first.body.cursor });
  });

  test('more than a batch: more:true and the rest on the next poll', async () => {
    server = await startHubServer({ pollBatchSize: 3 });
    const first = await poll('topic=a');
    for (let n = 1; n <= 5; n++) await server.hub.publish('a', n);
    const page1 = await poll(`topic=a&cursor=${encodeURIComponent(first.body.cursor)}`);
    expect(page1.body).toMatchObject({ more: true });
    expect(page1.body.messages.map((m) => m.data)).toEqual([1, 2, 3]);
    const page2 = await poll(`topic=a&cursor=${encodeURIComponent(page1.body.cursor)}`);
    expect(page2.body).toMatchObject({ more: false });
    expect(page2.body.messages.map((m) => m.data)).toEqual([4, 5]);
  });

  test('an unrecoverable position (other epoch) says recovered:false and jumps to the head', async () => {
    server = await startHubServer();
    await server.hub.publish('a', 1);
    const { body } = await poll(`topic=a&cursor=${encodeURIComponent(encodeCursor({ a: { offset: 7, epoch: 'gone' } }))}`);
    expect(body.messages).toEqual([]);
    expect(body.subscriptions).toMatchObject([{ topic: 'a', recovered: false, position: { offset: 1 } }]);
  });

  test('bad input: invalid topic 400, no topic 204', async () => {
    server = await startHubServer();
    expect((await fetch(`${server.base}/poll?topic=%20`)).status).toBe(400);
    expect((await fetch(`${server.base}/poll`)).status).toBe(204);
  });
});

test('GIVEN the handler mounted under a prefix the way Express/Connect do (url stripped, originalUrl kept) THEN it still routes', async () => {
  const hub = createHub();
  const handler = createNodeHandler(hub);
  const http = createServer((req, res) => {
    const stripped = Object.assign(req, { originalUrl: req.url });
    stripped.url = req.url!.slice('/realtime'.length);
    handler(stripped, res, () => res.writeHead(404).end());
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = http.address() as AddressInfo;
    expect((await publishHttp(`http://127.0.0.1:${port}/realtime`, { topic: 'a', data: 1 })).status).toBe(200);
  } finally {
    await hub.close();
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
  }
});
