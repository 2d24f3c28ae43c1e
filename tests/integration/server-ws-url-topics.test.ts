/**
 * Topics in the WebSocket upgrade URL (`/ws?topic=a&topic=b[&since=CURSOR][&history=N]`, as SSE's query):
 * the hub subscribes them as the session starts, before any frame, each answered like a `subscribe` frame.
 */
import { encodeCursor } from '@qwik-realtime/core/protocol';
import { afterEach, expect, test } from 'vitest';
import { openWs, startHubServer } from './helpers/index.js';
import type { TestHubServer } from './helpers/index.js';

let server: TestHubServer;
afterEach(() => server?.close());

test('URL topics are subscribed before any frame, with the replay each asked for', async () => {
  server = await startHubServer();
  const a1 = await server.hub.publish('a', 1);
  await server.hub.publish('a', 2);
  await server.hub.publish('b', 3);
  const since = encodeCursor({ a: { offset: a1.offset, epoch: a1.epoch } });
  const client = await openWs(`${server.wsUrl}?topic=a&topic=b&topic=a&since=${encodeURIComponent(since)}&history=1`);
  expect(await client.frames.take((f) => f.type === 'hello')).toMatchObject({ type: 'hello' });
  expect(await client.frames.take((f) => f.type === 'subscribed')).toMatchObject({ topic: 'a', recovered: true, replayed: 1 });
  expect(await client.frames.take((f) => f.type === 'message')).toMatchObject({ topic: 'a', data: 2 });
  expect(await client.frames.take((f) => f.type === 'subscribed')).toMatchObject({ topic: 'b', replayed: 1 });
  expect(await client.frames.take((f) => f.type === 'message')).toMatchObject({ topic: 'b', data: 3 });
  expect(server.hub.sessions()[0]?.topics()).toEqual(['a', 'b']);
  client.close();
});

test('a bad URL topic gets its own error frame; the others are subscribed; a bad history counts as absent', async () => {
  server = await startHubServer({ maxTopicsPerConnection: 3 });
  const client = await openWs(`${server.wsUrl}?topic=${encodeURIComponent('bad topic!')}&topic=ok&history=-1&since=garbage`);
  expect(await client.frames.take((f) => f.type === 'error')).toMatchObject({ code: 'invalid_topic' });
  expect(await client.frames.take((f) => f.type === 'subscribed')).toMatchObject({ topic: 'ok', replayed: 0 });
  client.close();
  // More topics than a connection may hold: the first ones are taken, the session never holds more.
  const many = await openWs(`${server.wsUrl}?${['t1', 't2', 't3', 't4', 't5'].map((topic) => `topic=${topic}`).join('&')}`);
  for (const topic of ['t1', 't2', 't3']) expect(await many.frames.take((f) => f.type === 'subscribed')).toMatchObject({ topic });
  many.send({ type: 'ping' });
  await many.frames.take((f) => f.type === 'pong');
  expect(server.hub.sessions().map((session) => session.topics())).toEqual([['t1', 't2', 't3']]);
  many.close();
});

test('URL topics of an upgrade without credentials wait for the auth frame; frames behind it come after them', async () => {
  server = await startHubServer({ authenticate: ({ token }) => (token === 'good' ? {} : null), authorize: (_p, _a, topic) => topic !== 'secret' });
  const client = await openWs(`${server.wsUrl}?topic=a&topic=secret`);
  client.send({ type: 'auth', token: 'good' });
  client.send({ type: 'unsubscribe', topic: 'a' });
  expect(await client.frames.take((f) => f.type === 'hello')).toMatchObject({ type: 'hello' });
  expect(await client.frames.take((f) => f.type === 'subscribed')).toMatchObject({ topic: 'a' });
  expect(await client.frames.take((f) => f.type === 'error')).toMatchObject({ code: 'forbidden', topic: 'secret' });
  expect(await client.frames.take((f) => f.type === 'unsubscribed')).toMatchObject({ topic: 'a' });
  expect(server.hub.sessions()[0]?.topics()).toEqual([]);
  client.close();
});

test('hostile URL topics: prototype keys, thousands of repeats, a huge garbage cursor — answered, the hub unharmed', async () => {
  server = await startHubServer({ maxTopicsPerConnection: 4 });
  const repeats = Array.from({ length: 800 }, (_, i) => `topic=t${i % 3}`).join('&');
  const garbage = encodeURIComponent('x|'.repeat(500));
  const client = await openWs(`${server.wsUrl}?topic=__proto__&topic=constructor&${repeats}&since=${garbage}&history=999999999`);
  const answers = [];
  for (let i = 0; i < 4; i++) answers.push(await client.frames.take((f) => f.type === 'subscribed' || f.type === 'error'));
  expect(answers.map((f) => `${f.type}:${f.topic}`).sort()).toEqual(['subscribed:__proto__', 'subscribed:constructor', 'subscribed:t0', 'subscribed:t1']);
  await server.hub.publish('__proto__', 1);
  expect(await client.frames.take((f) => f.type === 'message')).toMatchObject({ topic: '__proto__', data: 1 });
  expect(server.hub.sessions()[0]?.topics()).toEqual(['__proto__', 'constructor', 't0', 't1']);
  client.close();
});
