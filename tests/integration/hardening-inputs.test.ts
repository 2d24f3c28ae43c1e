import { CLOSE_CODES } from '@qwik-realtime/core/protocol';
import type { PollResponse } from '@qwik-realtime/core/protocol';
import { createFetchHandler, createMemoryBroker, parseCookies } from '@qwik-realtime/server';
import type { Broker } from '@qwik-realtime/server';
import { afterEach, describe, expect, test } from 'vitest';
import { openSse, openWs, publishHttp, startHubServer } from './helpers/index.js';
import type { TestHubServer } from './helpers/index.js';
import { completeBody, rawRequest } from './hardening-raw.js';

let server: TestHubServer;
afterEach(() => server?.close());

/** After each bad input: an honest SSE subscriber still receives, and the hub still answers polls. */
async function stillServing(topic = 'honest') {
  const stream = await openSse(`${server.base}/sse?topic=${topic}`);
  await stream.events.take((e) => e.event === 'subscribed');
  const ack = await server.hub.publish(topic, 'ok');
  await stream.events.take((e) => e.event === 'message' && e.json.offset === ack.offset);
  stream.close();
}

describe('GIVEN odd HTTP inputs THEN each gets a typed error (or is treated as no position) and the hub keeps serving', () => {
  const cases: [string, (s: TestHubServer) => Promise<{ status: number; code?: string }>][] = [
    ['a 16 KB Last-Event-ID of garbage (no position: fresh start)', async (s) => {
      const stream = await openSse(`${s.base}/sse?topic=a`, { headers: { 'last-event-id': 'x;'.repeat(7000) } });
      const subscribed = await stream.events.take((e) => e.event === 'subscribed');
      stream.close();
      return { status: stream.status, code: subscribed.json.recovered ? undefined : 'not recovered' };
    }],
    ['a Last-Event-ID naming 1000 topics', async (s) => {
      const cursor = `e;${Array.from({ length: 1000 }, (_, i) => `t${i}=${i}`).join(',')}`;
      const stream = await openSse(`${s.base}/sse?topic=a`, { headers: { 'last-event-id': cursor } });
      await stream.events.take((e) => e.event === 'subscribed');
      stream.close();
      return { status: stream.status };
    }],
    ['a query string over Node’s header limit', async (s) => ({ status: (await rawRequest(s.port, `GET /realtime/poll?${'topic=a&'.repeat(3000)} HTTP/1.1\r\nHost: x\r\n\r\n`, completeBody)).status })],
    ['2000 topic= params', async (s) => {
      const response = await fetch(`${s.base}/poll?${Array.from({ length: 1000 }, (_, i) => `topic=t${i}`).join('&')}`);
      return { status: response.status, code: (await response.json()).code };
    }],
    ['invalid UTF-8 in a topic', async (s) => {
      const response = await fetch(`${s.base}/poll?topic=%ff%fe`);
      return { status: response.status, code: (await response.json()).code };
    }],
    ['invalid UTF-8 in a publish body', async (s) => {
      const response = await fetch(`${s.base}/publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) });
      return { status: response.status, code: (await response.json()).code };
    }],
    ['a 60 KB deeply nested JSON body', async (s) => {
      const depth = 20_000;
      const { status, body } = await publishHttp(s.base, `{"topic":"deep","data":${'['.repeat(depth)}${']'.repeat(depth)}}`);
      return { status, code: body.code };
    }],
    ['a body over the size limit', async (s) => {
      const { status, body } = await publishHttp(s.base, { topic: 'big', data: 'x'.repeat(200_000) });
      return { status, code: body.code };
    }],
    ['a history of 10^9 on a poll', async (s) => {
      const response = await fetch(`${s.base}/poll?topic=a&history=999999999&timeout=0`);
      return { status: response.status };
    }],
    ['a negative timeout', async (s) => {
      const response = await fetch(`${s.base}/poll?topic=a&timeout=-1`);
      return { status: response.status, code: (await response.json()).code };
    }],
    ['a malformed cookie header', async (s) => ({ status: (await rawRequest(s.port, `GET /realtime/poll?topic=a&timeout=0 HTTP/1.1\r\nHost: x\r\nCookie: __proto__=1; =; a; %zz=%zz; constructor=2\r\n\r\n`, completeBody)).status })],
  ];

  test.each(cases)('%s', async (_name, run) => {
    server = await startHubServer();
    const outcome = await run(server);
    expect(outcome.status).toBeGreaterThanOrEqual(200);
    expect(outcome.status).not.toBe(500);
    expect(outcome.code === undefined || /^[a-z_]+$/.test(outcome.code)).toBe(true);
    await stillServing();
  });
});

test('GIVEN a publish body that tries prototype pollution THEN nothing is polluted and the message is delivered as plain data', async () => {
  server = await startHubServer();
  const stream = await openSse(`${server.base}/sse?topic=p`);
  await stream.events.take((e) => e.event === 'subscribed');
  const { status } = await publishHttp(server.base, '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"topic":"p","data":{"__proto__":{"polluted":true},"x":1}}');
  expect(status).toBe(200);
  const message = await stream.events.take((e) => e.event === 'message');
  expect(message.data).toContain('"__proto__":{"polluted":true}');
  expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  expect((Object.prototype as { polluted?: boolean }).polluted).toBeUndefined();
  stream.close();
});

test('GIVEN WebSocket frames with absurd values THEN each is answered with a typed error frame and the socket stays usable', async () => {
  server = await startHubServer();
  const client = await openWs(server.wsUrl);
  await client.frames.take((f) => f.type === 'hello');
  const bad: unknown[] = [
    '{"type":"subscribe","topic":"a","since":{"offset":1e300,"epoch":"e"}}',
    '{"type":"subscribe","topic":"a","history":-1}',
    '{"type":"subscribe","topic":{"__proto__":null}}',
    '{"type":"publish","topic":"a","data":1}',
    `{"type":"publish","topic":"a","ref":"r","data":${'['.repeat(30_000)}${']'.repeat(30_000)}}`,
    '{"type":"x'.padEnd(200, 'y') + '"}',
    'not json',
    '[]',
    '{"type":1}',
  ];
  for (const frame of bad) client.send(frame);
  const errors = await client.frames.count(1 + bad.length, 10_000);
  expect(errors.slice(1).map((f) => f.type)).toEqual(bad.map(() => 'error'));
  client.send({ type: 'ping' });
  await client.frames.take((f) => f.type === 'pong');
  expect(client.socket.readyState).toBe(client.socket.OPEN);
  client.close();
  await stillServing();
});

test('GIVEN the fetch handler WHEN a query carries 100k topic= params THEN it is refused with too_many_topics', async () => {
  server = await startHubServer();
  const handle = createFetchHandler(server.hub);
  const response = (await handle(new Request(`http://app.test/realtime/poll?${'topic=a&'.repeat(100_000)}topic=${Array.from({ length: 200 }, (_, i) => `t${i}`).join('&topic=')}`)))!;
  expect(response.status).toBe(400);
  expect(((await response.json()) as { code: string }).code).toBe('too_many_topics');
});

test('GIVEN a poll with a cursor naming the topic beyond its head THEN recovered: false once, then waiting (no hot loop)', async () => {
  server = await startHubServer();
  const { epoch } = await server.hub.publish('ahead', 1);
  const first = (await (await fetch(`${server.base}/poll?topic=ahead&cursor=${encodeURIComponent(`${epoch};ahead=999`)}`)).json()) as PollResponse;
  expect(first.subscriptions?.[0]).toMatchObject({ recovered: false });
  const waiting = fetch(`${server.base}/poll?topic=ahead&cursor=${encodeURIComponent(first.cursor)}&timeout=5000`).then((r) => r.json() as Promise<PollResponse>);
  await expect.poll(() => server.hub.stats().connections.poll).toBe(1);
  await server.hub.publish('ahead', 2);
  expect((await waiting).messages.map((m) => m.data)).toEqual([2]);
  expect(CLOSE_CODES.rate_limited).toBe(3201);
});

test('GIVEN cookies named like Object.prototype keys THEN parseCookies keeps them as ordinary cookies', () => {
  const cookies = parseCookies('__proto__=1; constructor=2; sid=abc');
  expect(Object.keys(cookies)).toEqual(['__proto__', 'constructor', 'sid']);
  expect(cookies.constructor).toBe('2');
});

test('GIVEN a WebSocket subscribe with history = MAX_SAFE_INTEGER THEN the broker is asked for at most 100k messages (the SSE cap)', async () => {
  const memory = createMemoryBroker();
  const asked: number[] = [];
  const broker: Broker = {
    ...memory,
    history: (topic, query) => {
      if ('last' in query) asked.push(query.last);
      return memory.history(topic, query);
    },
  };
  server = await startHubServer({ broker });
  const client = await openWs(server.wsUrl);
  client.send({ type: 'subscribe', topic: 'a', history: Number.MAX_SAFE_INTEGER });
  expect(await client.frames.take((f) => f.type === 'subscribed')).toMatchObject({ topic: 'a', recovered: true });
  expect(Math.max(...asked)).toBeLessThanOrEqual(100_000);
  client.close();
  await memory.close();
});
