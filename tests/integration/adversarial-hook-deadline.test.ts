/**
 * `hookTimeoutMs` against hooks that are not plain Promises: a user's thenable (a query builder, a hand-written
 * `{ then }`) may resolve with yet another thenable, or throw from `then`. The deadline bounds the hook until
 * its value is final, and leaves no timer behind once the hook has failed.
 */
import { afterEach, expect, test, vi } from 'vitest';
import { withinDeadline } from '../../packages/server/src/hook-deadline.js';
import { openWs, startHubServer } from './helpers/index.js';
import type { TestHubServer } from './helpers/index.js';

let server: TestHubServer | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await server?.close();
  server = undefined;
});

const never = new Promise<never>(() => undefined);

test('GIVEN authorize returns a thenable that resolves with a promise that never settles WHEN a WebSocket subscribes THEN it is refused as internal after hookTimeoutMs', async () => {
  const errors: string[] = [];
  server = await startHubServer({
    hookTimeoutMs: 150,
    onError: (error) => void errors.push(String(error)),
    authorize: (_principal, _action, topic) =>
      topic === 'stuck' ? ({ then: (resolve: (value: unknown) => void) => resolve(never) } as unknown as Promise<boolean>) : true,
  });
  const client = await openWs(server.wsUrl);
  client.send({ type: 'subscribe', topic: 'stuck' });
  client.send({ type: 'subscribe', topic: 'next' });
  expect(await client.frames.take((f) => f.type === 'error', 3000)).toMatchObject({ code: 'internal', topic: 'stuck' });
  expect(await client.frames.take((f) => f.type === 'subscribed', 3000)).toMatchObject({ topic: 'next' });
  expect(errors.join()).toMatch(/authorize hook did not settle within 150 ms/);
  client.close();
});

test('GIVEN a thenable whose then throws WHEN the hook fails THEN its deadline timer is gone too', async () => {
  vi.useFakeTimers();
  const thrown = new Error('then threw');
  const hook = () => ({ then: () => { throw thrown; } }) as unknown as Promise<boolean>;
  await expect(withinDeadline(hook, 60_000, 'authorize')).rejects.toBe(thrown);
  expect(vi.getTimerCount()).toBe(0);
});
