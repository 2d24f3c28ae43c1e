/**
 * Slow request bodies (slowloris): a `POST /publish` or `/presence` whose body stops arriving is answered
 * `400 bad_request` after `bodyTimeoutMs` and its buffer dropped, on the Node handler (connection closed
 * after the answer) and on the Fetch-API handler (a body stream that never ends); an honest publish on the
 * same hub goes through meanwhile.
 */
import { connect } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { createFetchHandler, createHub } from '@qwik-realtime/server';
import type { Hub } from '@qwik-realtime/server';
import { startHubServer } from './helpers/index.js';
import type { TestHubServer } from './helpers/index.js';
import { completeBody, rawRequest } from './hardening-raw.js';

let server: TestHubServer | undefined;
let hub: Hub | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  await hub?.close();
  hub = undefined;
});

/** A stalled client can never see an answer after this; any answer before it is the hub's doing. */
const WAIT_MS = 8000;
const endpoints = ['publish', 'presence'] as const;

describe('GIVEN a hub behind createNodeHandler with bodyTimeoutMs 200', () => {
  test.each(endpoints)('WHEN a POST /%s body stops after 10 of 100 bytes THEN it is answered 400 and the connection closed', async (endpoint) => {
    server = await startHubServer({ bodyTimeoutMs: 200 });
    const head = `POST /realtime/${endpoint} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`;
    // rawRequest returns when the server closes the socket (or WAIT_MS passed: status 0).
    const answer = await rawRequest(server.port, `${head}{"topic":"`, () => false, WAIT_MS);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).code).toBe('bad_request');
    const ack = await rawRequest(server.port, `POST /realtime/publish HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 25\r\n\r\n{"topic":"a","data":"ok"}`, completeBody);
    expect(ack.status).toBe(200);
  });

  test('WHEN a body arrives in slow pieces that finish within the deadline THEN it is published', async () => {
    server = await startHubServer({ bodyTimeoutMs: 2000 });
    const body = '{"topic":"a","data":"slow but complete"}';
    const socket = connect(server.port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString()));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.write(`POST /realtime/publish HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
    for (const piece of body.match(/.{1,10}/g) ?? []) {
      socket.write(piece);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await closed;
    expect(text).toMatch(/^HTTP\/1\.1 200/);
  });
});

describe('GIVEN createFetchHandler with bodyTimeoutMs 200', () => {
  test.each(endpoints)('WHEN a POST /%s body stream never ends THEN it is answered 400', async (endpoint) => {
    hub = createHub({ onError: () => undefined, bodyTimeoutMs: 200 });
    const handle = createFetchHandler(hub);
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => controller.enqueue(new TextEncoder().encode('{"topic":"')),
      cancel: () => void (cancelled = true),
    });
    const request = new Request(`http://x/realtime/${endpoint}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit);
    const never = new Promise<'no answer'>((resolve) => setTimeout(() => resolve('no answer'), WAIT_MS).unref());
    const response = await Promise.race([handle(request), never]);
    expect(response).not.toBe('no answer');
    expect((response as Response).status).toBe(400);
    expect(((await (response as Response).json()) as { code: string }).code).toBe('bad_request');
    expect(cancelled).toBe(true);
  });
});
