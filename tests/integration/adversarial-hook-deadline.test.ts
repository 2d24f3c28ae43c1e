/**
 * `hookTimeoutMs` against hooks that are not plain Promises: a user's thenable (a query builder, a hand-written
 * `{ then }`) may resolve with yet another thenable, or throw from `then`. The deadline bounds the hook until
 * its value is final (that it leaves no timer behind once the hook failed is in hook-deadline.test.ts). Its timer never keeps a process
 * alive: a server shut down while a hook hangs exits at once, not `hookTimeoutMs` later.
 */
import { spawn } from 'node:child_process';
import { afterEach, expect, test } from 'vitest';
import { openWs, startHubServer } from './helpers/index.js';
import type { TestHubServer } from './helpers/index.js';

let server: TestHubServer | undefined;
afterEach(async () => {
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

/** A hub with an authenticate that never settles: one SSE request reaches it, then the hub and server close. */
const HUNG_AT_SHUTDOWN = `
import { createServer } from 'node:http';
import { createHub, createNodeHandler } from '@qwik-realtime/server';
let asked = 0;
const hub = createHub({ hookTimeoutMs: 600000, authenticate: () => (asked++, new Promise(() => undefined)), onError: () => undefined });
const server = createServer(createNodeHandler(hub));
server.listen(0, '127.0.0.1', async () => {
  fetch('http://127.0.0.1:' + server.address().port + '/realtime/sse?topic=a').catch(() => undefined);
  while (asked === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  await hub.close();
  server.closeAllConnections();
  server.close();
});
`;

test('GIVEN authenticate hangs (hookTimeoutMs 10 min) WHEN the hub and its server close THEN the process exits, not 10 min later', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', HUNG_AT_SHUTDOWN], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => void (stderr += String(chunk)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const outcome = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('still running after 20 s'), 20_000))]);
  child.kill('SIGKILL');
  expect(stderr).toBe('');
  expect(outcome).toBe(0);
}, 30_000);
