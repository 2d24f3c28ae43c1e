import { CLOSE_CODES, HTTP_STATUS, retryPolicyOf } from '@qwik-realtime/core/protocol';
import type { ErrorCode } from '@qwik-realtime/core/protocol';
import { afterEach, describe, expect, test } from 'vitest';
import { openSse, openWs, publishHttp, startHubServer } from './helpers/index.js';
import type { TestHubServer } from './helpers/index.js';

interface User {
  name: string;
}

let server: TestHubServer<User>;
afterEach(() => server?.close());

/** `authenticate` by token: `throw` throws, `good`/`mallory` are users, anything else is refused (null). */
const authenticate = ({ token }: { token?: string }): User | null => {
  if (token === 'throw') throw new Error('session store down');
  return token === 'good' || token === 'mallory' ? { name: token } : null;
};

/** The outcome of presenting `token` on each transport: the error code the client is told. */
const transports: [string, (token: string) => Promise<{ code: ErrorCode | undefined; status?: number; closeCode?: number }>][] = [
  [
    'sse',
    async (token) => {
      const stream = await openSse(`${server.base}/sse?topic=a`, { headers: { authorization: `Bearer ${token}` } });
      const response = await fetch(`${server.base}/sse?topic=a`, { headers: { authorization: `Bearer ${token}` } });
      const body = response.status === 200 ? undefined : await response.json();
      stream.close();
      return { code: body?.code, status: response.status };
    },
  ],
  [
    'poll',
    async (token) => {
      const response = await fetch(`${server.base}/poll?topic=a&timeout=0`, { headers: { authorization: `Bearer ${token}` } });
      const body = await response.json();
      return { code: body.code, status: response.status };
    },
  ],
  [
    'publish',
    async (token) => {
      const { status, body } = await publishHttp(server.base, { topic: 'a', data: 1 }, { authorization: `Bearer ${token}` });
      return { code: body.code, status };
    },
  ],
  [
    'ws upgrade (bearer header)',
    async (token) => {
      try {
        const client = await openWs(server.wsUrl, { headers: { authorization: `Bearer ${token}` } });
        client.close();
        return { code: undefined };
      } catch (error) {
        const status = (error as { status: number }).status;
        return { code: status === 500 ? 'internal' : status === 401 ? 'unauthorized' : undefined, status };
      }
    },
  ],
  [
    'ws auth frame',
    async (token) => {
      const client = await openWs(server.wsUrl);
      client.send({ type: 'auth', token });
      const outcome = await Promise.race([client.closed, client.frames.next((f) => f.type === 'hello').then(() => undefined)]);
      client.socket.terminate();
      const code = outcome && (Object.entries(CLOSE_CODES).find(([, value]) => value === outcome.code)?.[0] as ErrorCode | undefined);
      return { code, closeCode: outcome?.code };
    },
  ],
];

describe.each(transports)('GIVEN %s', (_name, present) => {
  test('WHEN authenticate throws THEN the client is told internal (retry with backoff), with the status / close code of the one table', async () => {
    server = await startHubServer<User>({ authenticate });
    const outcome = await present('throw');
    expect(outcome.code).toBe('internal');
    expect(retryPolicyOf('internal')).toBe('retry_backoff');
    if (outcome.status !== undefined) expect(outcome.status).toBe(HTTP_STATUS.internal);
    if (outcome.closeCode !== undefined) expect(outcome.closeCode).toBe(CLOSE_CODES.internal);
  });

  test('WHEN authenticate returns null THEN the client is told unauthorized (do not retry)', async () => {
    server = await startHubServer<User>({ authenticate });
    const outcome = await present('nope');
    expect(outcome.code).toBe('unauthorized');
    if (outcome.status !== undefined) expect(outcome.status).toBe(HTTP_STATUS.unauthorized);
    if (outcome.closeCode !== undefined) expect(outcome.closeCode).toBe(CLOSE_CODES.unauthorized);
  });
});

test('GIVEN a WebSocket subscribed to two topics WHEN a re-auth frame brings a principal not allowed one of them THEN that topic is dropped with forbidden and the other keeps flowing', async () => {
  server = await startHubServer<User>({
    authenticate,
    authorize: (user, action, topic) => action === 'publish' || topic === 'public' || user.name === 'good',
  });
  const client = await openWs(server.wsUrl);
  client.send({ type: 'auth', token: 'good' });
  await client.frames.take((f) => f.type === 'hello');
  for (const topic of ['public', 'private']) {
    client.send({ type: 'subscribe', topic });
    await client.frames.take((f) => f.type === 'subscribed' && f.topic === topic);
  }
  client.send({ type: 'auth', token: 'mallory' });
  expect(await client.frames.take((f) => f.type === 'error')).toMatchObject({ code: 'forbidden', topic: 'private' });
  expect(server.hub.sessions()[0]?.topics()).toEqual(['public']);
  await server.hub.publish('private', 'secret');
  const ack = await server.hub.publish('public', 'news');
  const next = await client.frames.take((f) => f.type === 'message');
  expect(next).toMatchObject({ topic: 'public', offset: ack.offset });
  expect(client.frames.items.some((f) => f.type === 'message' && f.topic === 'private')).toBe(false);
  client.close();
});
