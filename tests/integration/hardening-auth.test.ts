import { CLOSE_CODES, HTTP_STATUS, retryPolicyOf } from '@qwik-realtime/core/protocol';
import { afterEach, describe, expect, test } from 'vitest';
import { openWs, startHubServer } from './helpers/index.js';
import { authPresenters } from './helpers/auth-presenters.js';
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

const transports = authPresenters.map(([name, present]) => [name, (token: string) => present(server, token)] as const);

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
