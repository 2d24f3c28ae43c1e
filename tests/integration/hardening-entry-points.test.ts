import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { attachHub, createFetchHandler, createHub, createNodeHandler } from '@qwik-realtime/server';
import { qwikCityHandlers } from '@qwik-realtime/server/qwik-city';
import { realtimeVitePlugin } from '@qwik-realtime/server/vite';
import { createServer as createViteServer } from 'vite';
import { afterEach, describe, expect, test } from 'vitest';
import { createCollector, openSse, startHubServer } from './helpers/index.js';
import type { TestHubServer } from './helpers/index.js';
import { completeBody, rawRequest, upgradeRequest } from './hardening-raw.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Malformed requests a Node server lets through to the handler. */
const badRequests: [string, string][] = [
  ['a Host with a space', 'GET /realtime/poll?topic=a HTTP/1.1\r\nHost: a b\r\n\r\n'],
  ['a Host that is a lone bracket', 'GET /realtime/sse?topic=a HTTP/1.1\r\nHost: [\r\n\r\n'],
  ['a Host full of colons', 'GET /realtime/poll?topic=a HTTP/1.1\r\nHost: :::\r\n\r\n'],
  ['a POST /publish with a bad Host', 'POST /realtime/publish HTTP/1.1\r\nHost: a b\r\nContent-Type: application/json\r\nContent-Length: 27\r\n\r\n{"topic":"a","data":"bad"}\n'],
  ['an absurd method', 'BREW /realtime/poll?topic=a HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['a lowercase method', 'get /realtime/poll?topic=a HTTP/1.1\r\nHost: x\r\n\r\n'],
];

describe('GIVEN createNodeHandler on http.createServer (the documented setup)', () => {
  let server: TestHubServer;
  afterEach(() => server?.close());

  test.each(badRequests)('WHEN a request carries %s THEN it is answered, and the process and other clients go on', async (_name, request) => {
    server = await startHubServer();
    const honest = await openSse(`${server.base}/sse?topic=a`);
    await honest.events.take((e) => e.event === 'subscribed');
    const answer = await rawRequest(server.port, request, completeBody);
    expect(answer.status).toBeGreaterThanOrEqual(200);
    if (answer.status >= 400 && answer.status < 500 && /application\/json/.test(answer.head)) expect(JSON.parse(answer.body).code).toMatch(/^[a-z_]+$/);
    const ack = await server.hub.publish('a', 'still alive');
    await honest.events.take((e) => e.event === 'message' && e.json.offset === ack.offset);
    honest.close();
  });

  test('WHEN the Host is bad on /poll THEN the answer is a normal poll answer (the hub routes by path only)', async () => {
    server = await startHubServer();
    const answer = await rawRequest(server.port, badRequests[0]![1], completeBody);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ messages: [], more: false });
  });

  test('WHEN a WebSocket upgrade carries a bad Host THEN it is upgraded or refused with a status, never dropped by a crash', async () => {
    server = await startHubServer();
    const answer = await rawRequest(server.port, upgradeRequest('/realtime/ws', 'a b'), (text) => text.includes('\r\n\r\n'));
    expect([101, 400]).toContain(answer.status);
    expect(server.hub.stats().connections).toBeDefined();
  });
});

test('GIVEN createFetchHandler WHEN the request URL or headers are broken THEN it resolves to an error Response, never throws or rejects', async () => {
  const errors: unknown[] = [];
  const hub = createHub({ onError: (error) => errors.push(error) });
  cleanups.push(() => hub.close());
  const handle = createFetchHandler(hub);
  const badUrl = { url: 'http://a b/realtime/poll?topic=a', method: 'GET', headers: new Headers() } as unknown as Request;
  const answer = await Promise.resolve().then(() => handle(badUrl));
  expect(answer?.status).toBe(400);
  expect(await answer?.json()).toMatchObject({ code: 'bad_request' });
  const throwingHeaders = new Request('http://app.test/realtime/poll?topic=a');
  Object.defineProperty(throwingHeaders, 'headers', { get: () => ({ get: () => { throw new Error('boom'); } }) });
  const internal = await handle(throwingHeaders);
  expect(internal?.status).toBe(500);
  expect(await internal?.json()).toMatchObject({ code: 'internal' });
  expect(errors.length).toBeGreaterThan(0);
});

test('GIVEN qwikCityHandlers WHEN the request is broken THEN onGet/onPost send an error Response and resolve', async () => {
  const hub = createHub({ onError: () => undefined });
  cleanups.push(() => hub.close());
  const { onGet, onPost } = qwikCityHandlers(hub);
  for (const handler of [onGet, onPost]) {
    const sent: Response[] = [];
    const request = { url: 'http://a b/realtime/publish', method: 'POST', headers: new Headers() } as unknown as Request;
    await handler({ request, send: (response: Response) => sent.push(response) });
    expect(sent[0]?.status).toBe(400);
  }
});

test('GIVEN the Vite plugin WHEN a request carries a bad Host THEN the dev server answers it and keeps serving', async () => {
  const plugin = realtimeVitePlugin({ onError: () => undefined });
  const vite = await createViteServer({ configFile: false, logLevel: 'silent', root: import.meta.dirname, optimizeDeps: { noDiscovery: true, include: [] }, plugins: [plugin], server: { port: 0, host: '127.0.0.1', ws: false } });
  cleanups.push(() => vite.close());
  await vite.listen();
  const { port } = vite.httpServer!.address() as AddressInfo;
  const answer = await rawRequest(port, badRequests[0]![1], completeBody);
  expect(answer.status).toBe(200);
  const upgrade = await rawRequest(port, upgradeRequest('/realtime/ws', 'a b'), (text) => text.includes('\r\n\r\n'));
  expect([101, 400]).toContain(upgrade.status);
  expect((await fetch(`http://127.0.0.1:${port}/realtime/poll?topic=a&timeout=0`)).status).toBe(200);
});

test('GIVEN attachHub WHEN the request target of an upgrade is not a path THEN it is refused with 400 and the server lives', async () => {
  const hub = createHub({ onError: () => undefined });
  const server = createServer(createNodeHandler(hub));
  const detach = attachHub(server, hub);
  cleanups.push(async () => {
    await hub.close();
    detach();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  // Node accepts absolute-form targets; ours must be a path.
  const answer = await rawRequest(port, upgradeRequest('http://a b/realtime/ws'), (text) => text.includes('\r\n\r\n'));
  expect(answer.status === 0 || answer.status >= 400).toBe(true);
  expect((await fetch(`http://127.0.0.1:${port}/realtime/poll?topic=a&timeout=0`)).status).toBe(200);
});

const bin = fileURLToPath(new URL('../../packages/server/src/bin.ts', import.meta.url));

test('GIVEN the standalone server WHEN a poll carries Host: a b THEN it answers and keeps running', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', bin, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  cleanups.push(() => void child.kill('SIGKILL'));
  const lines = createCollector<string>('bin stdout');
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => chunk.split('\n').filter(Boolean).forEach((line) => lines.push(line)));
  const banner = await lines.next((line) => line.includes('listening on'), 15_000);
  const port = Number(/127\.0\.0\.1:(\d+)/.exec(banner)![1]);
  for (const [, request] of badRequests) await rawRequest(port, request, completeBody);
  expect(child.exitCode).toBeNull();
  expect((await fetch(`http://127.0.0.1:${port}/realtime/poll?topic=a&timeout=0`)).status).toBe(200);
});
