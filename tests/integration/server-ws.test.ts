import { CLOSE_CODES } from '@qwik-realtime/core/protocol';
import { afterEach, describe, expect, test } from 'vitest';
import { openWs, startHubServer } from './helpers/index.js';
import type { TestHubServer, WsClient } from './helpers/index.js';

interface User {
  name: string;
  expiresAt?: number;
}

let server: TestHubServer<any>;
const clients: WsClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await server?.close();
});
const connect = async (url = server.wsUrl, options = {}) => {
  const client = await openWs(url, options);
  clients.push(client);
  return client;
};

/** A second, well-behaved client that must keep being served while another misbehaves. */
async function bystander() {
  const client = await connect();
  client.send({ type: 'subscribe', topic: 'calm', ref: 'c' });
  await client.frames.next((f) => f.type === 'subscribed');
  return {
    async stillServed() {
      const ack = await server.hub.publish('calm', { still: 'here' });
      await client.frames.next((f) => f.type === 'message' && f.offset === ack.offset);
    },
  };
}

describe('WebSocket frames', () => {
  test('hello, subscribe, publish with ack, message, ping/pong, unsubscribe', async () => {
    server = await startHubServer();
    const client = await connect();
    expect(await client.frames.take()).toMatchObject({ type: 'hello', heartbeatMs: 15000, protocol: 1 });
    client.send({ type: 'subscribe', topic: 'room', ref: 's1' });
    expect(await client.frames.take()).toMatchObject({ type: 'subscribed', topic: 'room', recovered: true, ref: 's1', replayed: 0, position: { offset: 0 } });
    client.send({ type: 'publish', topic: 'room', data: { text: 'hi' }, id: 'msg-1', ref: 'p1' });
    const frames = [await client.frames.take(), await client.frames.take()];
    const ack = frames.find((f) => f.type === 'ack');
    expect(ack).toMatchObject({ ref: 'p1', id: 'msg-1', topic: 'room', offset: 1, duplicate: false });
    expect(frames.find((f) => f.type === 'message')).toMatchObject({ id: 'msg-1', topic: 'room', data: { text: 'hi' }, offset: 1, epoch: ack.epoch });
    client.send({ type: 'publish', topic: 'room', data: { text: 'hi' }, id: 'msg-1', ref: 'p2' });
    expect(await client.frames.take()).toMatchObject({ type: 'ack', ref: 'p2', offset: 1, duplicate: true });
    client.send({ type: 'ping' });
    expect(await client.frames.take()).toEqual({ type: 'pong' });
    client.send({ type: 'unsubscribe', topic: 'room', ref: 'u1' });
    expect(await client.frames.take()).toEqual({ type: 'unsubscribed', topic: 'room', ref: 'u1' });
    await server.hub.publish('room', 'after');
    client.send({ type: 'ping' });
    expect(await client.frames.take()).toEqual({ type: 'pong' });
    expect(server.hub.stats()).toMatchObject({ connections: { sse: 0, ws: 1, poll: 0 }, topics: {}, disconnects: {}, deadLetters: {}, rateLimited: { connection: 0, topic: 0, address: 0 } });
  });

  test('subscribe with history replays the last N messages', async () => {
    server = await startHubServer();
    for (let n = 1; n <= 5; n++) await server.hub.publish('h', n);
    const client = await connect();
    client.send({ type: 'subscribe', topic: 'h', history: 2 });
    expect(await client.frames.take((f) => f.type === 'subscribed')).toMatchObject({ recovered: true, replayed: 2, position: { offset: 3 } });
    expect((await client.frames.count(4)).slice(2).map((f) => f.data)).toEqual([4, 5]);
  });

  test.each([
    ['malformed JSON', '{nope', 'bad_request'],
    ['a non-object frame', '[1,2]', 'bad_request'],
    ['an unknown frame type', JSON.stringify({ type: 'teleport', ref: 'x' }), 'unknown_frame'],
    ['an invalid topic', JSON.stringify({ type: 'subscribe', topic: 'no spaces', ref: 'x' }), 'invalid_topic'],
    ['a bad since', JSON.stringify({ type: 'subscribe', topic: 'ok', since: { offset: -1, epoch: 'e' }, ref: 'x' }), 'bad_request'],
    ['a publish without ref', JSON.stringify({ type: 'publish', topic: 'ok', data: 1 }), 'bad_request'],
    ['a too large publish', JSON.stringify({ type: 'publish', topic: 'ok', data: 'x'.repeat(2000), ref: 'x' }), 'message_too_large'],
  ])('GIVEN %s THEN an error frame answers it, the connection stays open and others are served', async (_label, raw, code) => {
    server = await startHubServer({ maxMessageBytes: 1024 });
    const calm = await bystander();
    const client = await connect();
    client.send(raw);
    const error = await client.frames.take((f) => f.type === 'error');
    expect(error.code).toBe(code);
    if (raw.includes('"ref":"x"')) expect(error.ref).toBe('x');
    client.send({ type: 'ping' });
    await client.frames.take((f) => f.type === 'pong');
    await calm.stillServed();
  });

  test('GIVEN a frame over the frame limit THEN the connection is closed with message_too_large', async () => {
    server = await startHubServer({ maxMessageBytes: 1024 });
    const calm = await bystander();
    const client = await connect();
    client.send(JSON.stringify({ type: 'publish', topic: 'ok', data: 'x'.repeat(6000), ref: 'x' }));
    expect((await client.closed).code).toBe(CLOSE_CODES.message_too_large);
    await calm.stillServed();
  });

  test('GIVEN subscribe then unsubscribe sent back to back with a slow authorize THEN they apply in order', async () => {
    server = await startHubServer({ authorize: () => new Promise<boolean>((resolve) => setImmediate(() => resolve(true))) });
    const client = await connect();
    client.send({ type: 'subscribe', topic: 'o', ref: '1' });
    client.send({ type: 'unsubscribe', topic: 'o', ref: '2' });
    client.send({ type: 'ping' });
    await client.frames.take((f) => f.type === 'pong');
    expect(client.frames.items.map((f) => f.type)).toEqual(['hello', 'subscribed', 'unsubscribed', 'pong']);
    expect(server.hub.stats().topics).toEqual({});
  });

  test('GIVEN too many topics or a forbidden one THEN too_many_topics / forbidden errors', async () => {
    server = await startHubServer<User>({ maxTopicsPerConnection: 2, authorize: (_user, action, topic) => !(action === 'subscribe' && topic.startsWith('secret')) });
    const client = await connect();
    client.send({ type: 'subscribe', topic: 'secret:1', ref: 'f' });
    expect(await client.frames.take((f) => f.type === 'error')).toMatchObject({ code: 'forbidden', topic: 'secret:1', ref: 'f' });
    for (const topic of ['a', 'b', 'c']) client.send({ type: 'subscribe', topic, ref: topic });
    expect(await client.frames.take((f) => f.type === 'error')).toMatchObject({ code: 'too_many_topics', ref: 'c' });
    expect(server.hub.stats().topics).toEqual({ a: 1, b: 1 });
  });

  test('GIVEN a flood THEN rate_limited errors, then a close with rate_limited, while others are served', async () => {
    server = await startHubServer({ inboundFramesPerSecond: 0.01, inboundFrameBurst: 5 });
    const calm = await bystander();
    const client = await connect();
    for (let i = 0; i < 20; i++) client.send({ type: 'ping' });
    expect((await client.closed).code).toBe(CLOSE_CODES.rate_limited);
    expect(client.frames.items.filter((f) => f.type === 'pong').length).toBeLessThanOrEqual(6);
    expect(client.frames.items.some((f) => f.type === 'error' && f.code === 'rate_limited')).toBe(true);
    await calm.stillServed();
  });
});

describe('WebSocket auth', () => {
  const users: Record<string, User> = { good: { name: 'ann' }, short: { name: 'bob', expiresAt: 0 } };
  const authOptions = () => ({
    authenticate: ({ token }: { token?: string }) => (token && users[token] ? { ...users[token]! } : null),
  });

  test('a bearer header authenticates the upgrade; a bad one is refused with 401', async () => {
    server = await startHubServer<User>(authOptions());
    const ok = await connect(server.wsUrl, { headers: { authorization: 'Bearer good' } });
    expect(await ok.frames.take()).toMatchObject({ type: 'hello' });
    await expect(openWs(server.wsUrl, { headers: { authorization: 'Bearer nope' } })).rejects.toMatchObject({ status: 401 });
  });

  test('without credentials the first frame must be auth; a bad token closes with unauthorized', async () => {
    server = await startHubServer<User>(authOptions());
    const ok = await connect();
    ok.send({ type: 'auth', token: 'good' });
    expect(await ok.frames.take()).toMatchObject({ type: 'hello' });
    const bad = await connect();
    bad.send({ type: 'auth', token: 'nope' });
    expect((await bad.closed).code).toBe(CLOSE_CODES.unauthorized);
    const rude = await connect();
    rude.send({ type: 'subscribe', topic: 'a' });
    expect((await rude.closed).code).toBe(CLOSE_CODES.unauthorized);
  });

  test('hub.close() also closes a connection still waiting for its auth frame', async () => {
    server = await startHubServer<User>(authOptions());
    const waiting = await connect();
    await server.hub.close();
    expect((await waiting.closed).code).toBe(CLOSE_CODES.server_shutdown);
  });

  test('a principal expiring later is closed with token_expired then', async () => {
    users.short = { name: 'bob', expiresAt: Date.now() + 300 };
    server = await startHubServer<User>(authOptions());
    const client = await connect();
    client.send({ type: 'auth', token: 'short' });
    await client.frames.take((f) => f.type === 'hello');
    expect((await client.closed).code).toBe(CLOSE_CODES.token_expired);
  });

  test('upgrades on other paths are not taken by the hub', async () => {
    server = await startHubServer();
    await expect(openWs(`ws://127.0.0.1:${server.port}/elsewhere`)).rejects.toMatchObject({ status: 404 });
    expect(server.hub.stats().connections.ws).toBe(0);
  });
});
