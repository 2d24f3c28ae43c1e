/**
 * `authenticate` / `authorize` hooks that never settle (an auth service called without a timeout). Each such
 * request used to hold its handshake slot, or a WebSocket's whole frame queue, forever: at
 * `maxConcurrentHandshakes` of them the hub refused everyone with `try_again_later`. Now past `hookTimeoutMs`
 * the request is refused as `internal` (retry with backoff), `onError` is told, and the slot is free again.
 */
import { CLOSE_CODES, HTTP_STATUS } from '@qwik-realtime/core/protocol';
import { afterEach, describe, expect, test } from 'vitest';
import { openSse, openWs, startHubServer } from './helpers/index.js';
import type { TestHubServer } from './helpers/index.js';
import { authPresenters } from './helpers/auth-presenters.js';

interface User {
  name: string;
}

let server: TestHubServer<User>;
afterEach(() => server?.close());

const never = new Promise<never>(() => undefined);
/** `hang` never settles; `good` is a user; anything else is refused. */
const authenticate = ({ token }: { token?: string }): User | null | Promise<User | null> =>
  token === 'hang' ? never : token === 'good' ? { name: token } : null;

describe.each(authPresenters)('GIVEN %s', (_name, present) => {
  test('WHEN authenticate never settles THEN after hookTimeoutMs the client is told internal and the slot is free again', async () => {
    const errors: string[] = [];
    server = await startHubServer<User>({ authenticate, hookTimeoutMs: 150, maxConcurrentHandshakes: 1, onError: (error) => void errors.push(String(error)) });
    const outcome = await present(server, 'hang');
    expect(outcome.code).toBe('internal');
    if (outcome.status !== undefined) expect(outcome.status).toBe(HTTP_STATUS.internal);
    if (outcome.closeCode !== undefined) expect(outcome.closeCode).toBe(CLOSE_CODES.internal);
    expect(errors.join()).toMatch(/authenticate hook did not settle within 150 ms/);
    // With a cap of one handshake, a held slot would refuse this one with try_again_later.
    expect(server.hub.stats().handshakesInFlight).toBe(0);
    expect((await present(server, 'good')).code).toBeUndefined();
  });
});

test('GIVEN a WebSocket WHEN authorize never settles for one subscribe THEN it is refused as internal and the frames behind it are handled', async () => {
  server = await startHubServer<User>({
    authenticate,
    hookTimeoutMs: 150,
    authorize: (_user, _action, topic) => (topic === 'stuck' ? never : true),
  });
  const client = await openWs(server.wsUrl, { headers: { authorization: 'Bearer good' } });
  await client.frames.take((f) => f.type === 'hello');
  client.send({ type: 'subscribe', topic: 'stuck', ref: 's1' });
  client.send({ type: 'subscribe', topic: 'fine' });
  expect(await client.frames.take((f) => f.type === 'error')).toMatchObject({ code: 'internal', topic: 'stuck', ref: 's1' });
  expect(await client.frames.take((f) => f.type === 'subscribed')).toMatchObject({ topic: 'fine' });
  expect(server.hub.stats().handshakesInFlight).toBe(0);
  client.close();
});

test('GIVEN SSE requests WHEN more hang in authenticate than the handshake cap THEN new ones get in once the hung ones time out', async () => {
  server = await startHubServer<User>({ authenticate, hookTimeoutMs: 1000, maxConcurrentHandshakes: 2 });
  const hung = [1, 2].map(() => fetch(`${server.base}/sse?topic=a`, { headers: { authorization: 'Bearer hang' } }));
  while (server.hub.stats().handshakesInFlight < 2) await new Promise((resolve) => setTimeout(resolve, 5));
  const refused = await fetch(`${server.base}/sse?topic=a`, { headers: { authorization: 'Bearer good' } });
  expect(refused.status).toBe(HTTP_STATUS.try_again_later);
  expect((await Promise.all(hung)).map((response) => response.status)).toEqual([HTTP_STATUS.internal, HTTP_STATUS.internal]);
  const stream = await openSse(`${server.base}/sse?topic=a`, { headers: { authorization: 'Bearer good' } });
  expect((await stream.events.take((event) => event.event === 'hello')).event).toBe('hello');
  stream.close();
});

test('GIVEN default timings on both sides WHEN authorize hangs for one topic THEN the client hears internal for that topic and keeps its session (the hub answers before the client gives up)', async () => {
  const { fastClient, startClientHub } = await import('./client-fixtures.js');
  const hub = await startClientHub({ authorize: (_p, _a, topic) => (topic === 'stuck' ? never : true) });
  const client = fastClient('websocket', hub.url, { connectTimeoutMs: undefined, backoff: { baseMs: 30_000, capMs: 30_000 } });
  try {
    const errors: string[] = [];
    let live = 0;
    client.subscribe('stuck', { onError: (error) => errors.push(error.code) });
    client.subscribe('fine', { onSubscribed: () => live++ });
    const started = Date.now();
    while (errors.length === 0 && Date.now() - started < 9000) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(errors).toEqual(['internal']);
    expect(live).toBe(1);
    expect(client.getState().status).toBe('open');
    expect(hub.hub.stats().connections.ws).toBe(1);
  } finally {
    client.close();
    await hub.close();
  }
}, 15_000);
