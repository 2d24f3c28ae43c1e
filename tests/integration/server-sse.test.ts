import { decodeCursor } from '@qwik-realtime/core/protocol';
import { EventSource } from 'eventsource';
import { afterEach, describe, expect, test } from 'vitest';
import { createCollector, openSse, publishHttp, startHubServer } from './helpers/index.js';
import type { TestHubServer } from './helpers/index.js';

let server: TestHubServer<any>;
afterEach(async () => {
  await server?.close();
});

describe('SSE', () => {
  test('GIVEN two topics WHEN messages are published THEN hello, subscribed and messages arrive with cursor ids and no-buffering headers', async () => {
    server = await startHubServer();
    const stream = await openSse(`${server.base}/sse?topic=a&topic=b`);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(stream.headers.get('x-accel-buffering')).toBe('no');
    const hello = await stream.events.take((e) => e.event === 'hello');
    expect(hello.json).toMatchObject({ type: 'hello', heartbeatMs: 15000, protocol: 1 });
    await stream.events.take((e) => e.event === 'subscribed' && e.json.topic === 'a');
    await stream.events.take((e) => e.event === 'subscribed' && e.json.topic === 'b');
    const ackA = await publishHttp(server.base, { topic: 'a', data: { n: 1 } });
    expect(ackA.status).toBe(200);
    expect(ackA.body).toMatchObject({ topic: 'a', offset: 1, duplicate: false });
    await publishHttp(server.base, { topic: 'b', data: { n: 2 } });
    const first = await stream.events.take((e) => e.event === 'message');
    const second = await stream.events.take((e) => e.event === 'message');
    expect(first.json).toMatchObject({ topic: 'a', data: { n: 1 }, offset: 1 });
    expect(second.json).toMatchObject({ topic: 'b', data: { n: 2 }, offset: 1 });
    const epoch = ackA.body.epoch;
    expect(decodeCursor(second.id!)).toEqual({ a: { offset: 1, epoch }, b: { offset: 1, epoch } });
    stream.close();
  });

  test('GIVEN the eventsource package WHEN the server drops the stream THEN it resumes via Last-Event-ID without gap or duplicate', async () => {
    server = await startHubServer();
    const received = createCollector<{ offset: number; topic: string }>('eventsource');
    const opened = createCollector<number>('opens');
    const es = new EventSource(`${server.base}/sse?topic=t1&topic=t2`);
    es.onmessage = (event) => received.push(JSON.parse(event.data));
    es.onopen = () => opened.push(1);
    try {
      await opened.count(1);
      await server.hub.publish('t1', 1);
      await server.hub.publish('t2', 1);
      await received.count(2);
      expect(server.hub.disconnectAll()).toBe(1);
      // Published while the client is away: must be replayed exactly once.
      await server.hub.publish('t1', 2);
      await server.hub.publish('t1', 3);
      await server.hub.publish('t2', 2);
      await opened.count(2, 10_000);
      await server.hub.publish('t2', 3);
      await received.count(6, 10_000);
      // A sentinel after the resume: any duplicate would have arrived before it.
      await server.hub.publish('t2', 4);
      const all = await received.count(7, 10_000);
      const byTopic = (topic: string) => all.filter((m) => m.topic === topic).map((m) => m.offset);
      expect(byTopic('t1')).toEqual([1, 2, 3]);
      expect(byTopic('t2')).toEqual([1, 2, 3, 4]);
    } finally {
      es.close();
    }
  });

  test('GIVEN a principal with expiresAt THEN the stream ends with an error event token_expired', async () => {
    server = await startHubServer({ authenticate: () => ({ expiresAt: Date.now() + 300 }) });
    const stream = await openSse(`${server.base}/sse?topic=a`);
    await stream.events.take((e) => e.event === 'subscribed');
    expect((await stream.events.take((e) => e.event === 'error')).json).toMatchObject({ code: 'token_expired' });
    await stream.ended;
    expect(server.hub.stats().connections.sse).toBe(0);
  });

  test('GIVEN hub.onConnection THEN each connection is announced and its handle closes it with a code', async () => {
    server = await startHubServer();
    const seen: string[] = [];
    server.hub.onConnection((session) => {
      seen.push(session.transport);
      if (session.transport === 'sse') setImmediate(() => session.close('server_shutdown'));
    });
    const stream = await openSse(`${server.base}/sse?topic=a`);
    expect((await stream.events.take((e) => e.event === 'error')).json).toMatchObject({ code: 'server_shutdown' });
    await stream.ended;
    expect(seen).toEqual(['sse']);
  });
});

test('GIVEN hub.close() THEN SSE clients get server_shutdown, new requests get 503, and the stream ends', async () => {
  server = await startHubServer();
  const stream = await openSse(`${server.base}/sse?topic=a`);
  await stream.events.take((e) => e.event === 'subscribed');
  await server.hub.close();
  expect((await stream.events.take((e) => e.event === 'error')).json).toMatchObject({ code: 'server_shutdown' });
  await stream.ended;
  const refused = await fetch(`${server.base}/sse?topic=a`);
  expect(refused.status).toBe(503);
  expect(await refused.json()).toMatchObject({ code: 'server_shutdown' });
});
