import { decodeCursor } from '@qwik-realtime/core/protocol';
import { afterEach, expect, test } from 'vitest';
import { openSse, publishHttp, startHubServer } from './helpers/index.js';
import type { TestHubServer } from './helpers/index.js';

let server: TestHubServer;
afterEach(async () => {
  await server?.close();
});

test('GIVEN SSE connections on one topic and on two WHEN messages arrive THEN each id is that connection’s own cursor, and resuming from it misses nothing', async () => {
  server = await startHubServer();
  const one = await openSse(`${server.base}/sse?topic=a`);
  const two = await openSse(`${server.base}/sse?topic=a&topic=b`);
  await one.events.take((e) => e.event === 'subscribed');
  await two.events.take((e) => e.event === 'subscribed' && e.json.topic === 'b');
  const b = await publishHttp(server.base, { topic: 'b', data: 0 });
  const a1 = await publishHttp(server.base, { topic: 'a', data: 1 });
  const epoch = a1.body.epoch;
  const onOne = await one.events.take((e) => e.event === 'message');
  await two.events.take((e) => e.event === 'message' && e.json.topic === 'b');
  const onTwo = await two.events.take((e) => e.event === 'message' && e.json.topic === 'a');
  // Same message, different connections: the one-topic id names only `a`; the other still carries `b`.
  expect(decodeCursor(onOne.id!)).toEqual({ a: { offset: a1.body.offset, epoch } });
  expect(decodeCursor(onTwo.id!)).toEqual({ a: { offset: a1.body.offset, epoch }, b: { offset: b.body.offset, epoch } });
  one.close();
  const a2 = await publishHttp(server.base, { topic: 'a', data: 2 });
  const resumed = await openSse(`${server.base}/sse?topic=a`, { headers: { 'last-event-id': onOne.id! } });
  const replayed = await resumed.events.take((e) => e.event === 'message');
  expect(replayed.json).toMatchObject({ topic: 'a', offset: a2.body.offset, data: 2 });
  expect(decodeCursor(replayed.id!)).toEqual({ a: { offset: a2.body.offset, epoch } });
  resumed.close();
  two.close();
});
