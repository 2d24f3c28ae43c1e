/**
 * The core client against a hostile or broken server (tests/integration/hardening-hostile-server.ts), on
 * every transport: frames the client cannot take end the
 * session instead of throwing out of a socket event (Node: a crash), and a fetch-SSE stream that never
 * finishes an event is cut at `maxEventLength`. Absurd announced durations are in hardening-hostile-durations.test.ts.
 */
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, test } from 'vitest';
import { createBaseClient, fetchSseTransport, longPollTransport } from '@qwik-realtime/core';
import type { RealtimeClient } from '@qwik-realtime/core';
import { fastClientOptions, nodePlatform, transportNames, transportsByName, until } from './client-fixtures.js';
import { closeOpened, envelope, helloFrame, jsonAnswer, sseEvents, startHostileServer, subscribedFrame } from './hardening-hostile-server.js';
import type { HostileScript, HostileServer } from './hardening-hostile-server.js';

let server: HostileServer | undefined;
let client: RealtimeClient | undefined;
afterEach(async () => {
  await closeOpened({ client, server });
  client = server = undefined;
});

/** First attempt: a message whose id cannot become a string; later attempts: an honest message. */
function untakeableThenHonest(bad: Record<string, unknown>): HostileScript {
  const messages = (n: number) => (n === 1 ? [envelope('t', 1, bad)] : [envelope('t', 2, { data: 'fine' })]);
  return {
    ws: (socket, n) => {
      socket.send(JSON.stringify(helloFrame()));
      socket.send(JSON.stringify(subscribedFrame('t')));
      for (const message of messages(n)) socket.send(JSON.stringify({ type: 'message', ...message }));
    },
    sse: (res, n) => sseEvents(res, [['hello', helloFrame()], ['subscribed', subscribedFrame('t')], ...messages(n).map((m): [undefined, unknown] => [undefined, m])]),
    poll: (res, n, first) => first && jsonAnswer(res, 200, { cursor: 'c', messages: messages(n), subscriptions: [subscribedFrame('t')], heartbeatMs: 15_000, more: false }),
  };
}

describe('GIVEN a server sending a frame the client cannot take', () => {
  test.each([
    ...transportNames.map((name) => ({ name, what: 'an id that is {"toString":1}', bad: { id: { toString: 1 } } })),
    ...transportNames.map((name) => ({ name, what: 'an offset that is {"valueOf":1,"toString":1}', bad: { offset: { valueOf: 1, toString: 1 } } })),
  ])('WHEN it sends $what over $name THEN the session ends like a loss and the next one delivers', async ({ name, bad }) => {
    server = await startHostileServer(untakeableThenHonest(bad));
    const received: unknown[] = [];
    client = createBaseClient({ url: server.url, transports: [transportsByName[name]()], platform: nodePlatform, ...fastClientOptions });
    client.subscribe('t', { onMessage: (message) => received.push(message.data) });
    await until(() => received.length > 0, 'the honest message of the next session');
    expect(received).toEqual(['fine']);
    expect(server.attempts()).toBeGreaterThanOrEqual(2);
  });

  test.each<{ ref: unknown }>([{ ref: 5 }, { ref: {} }, { ref: { toString: 1 } }])('WHEN a WebSocket error frame has ref $ref THEN it is ignored and the session goes on', async ({ ref }) => {
    server = await startHostileServer({
      ws: (socket) => {
        socket.send(JSON.stringify(helloFrame()));
        socket.send(JSON.stringify(subscribedFrame('t')));
        socket.send(JSON.stringify({ type: 'error', code: 'bad_request', message: 'hostile', ref }));
        socket.send(JSON.stringify({ type: 'message', ...envelope('t', 1, { data: 'fine' }) }));
      },
    });
    const received: unknown[] = [];
    client = createBaseClient({ url: server.url, transports: [transportsByName.websocket()], platform: nodePlatform, ...fastClientOptions });
    client.subscribe('t', { onMessage: (message) => received.push(message.data) });
    await until(() => received.length > 0, 'the message after the error frame');
    expect(received).toEqual(['fine']);
    expect(server.attempts()).toBe(1);
  });
});

describe('GIVEN a WebSocket server that sends binary frames', () => {
  test('WHEN they come between text frames THEN they are ignored and the text frames delivered', async () => {
    server = await startHostileServer({
      ws: (socket) => {
        socket.send(Buffer.from(JSON.stringify(helloFrame())));
        socket.send(JSON.stringify(helloFrame()));
        socket.send(JSON.stringify(subscribedFrame('t')));
        socket.send(Buffer.from(JSON.stringify({ type: 'message', ...envelope('t', 1, { data: 'binary' }) })));
        socket.send(Buffer.alloc(1024 * 1024));
        socket.send(JSON.stringify({ type: 'message', ...envelope('t', 2, { data: 'text' }) }));
      },
    });
    const received: unknown[] = [];
    client = createBaseClient({ url: server.url, transports: [transportsByName.websocket()], platform: nodePlatform, ...fastClientOptions });
    client.subscribe('t', { onMessage: (message) => received.push(message.data) });
    await until(() => received.length > 0, 'the text message');
    expect(received).toEqual(['text']);
    expect(server.attempts()).toBe(1);
  });
});

/** Write `chunk` to `res` until the client goes away or `max` bytes went out; resolves with the bytes written. */
async function flood(res: ServerResponse, chunk: string, max: number): Promise<number> {
  let written = 0;
  while (written < max && !res.destroyed && !res.writableEnded) {
    written += chunk.length;
    if (!res.write(chunk)) await new Promise((resolve) => (res.once('drain', resolve), res.once('close', resolve)));
  }
  res.end();
  return written;
}

describe('GIVEN a fetch-SSE stream that never finishes an event', () => {
  const kib64 = 'x'.repeat(64 * 1024);
  test.each([
    { what: 'one data line that never ends', head: 'data: ', chunk: kib64, limit: undefined },
    { what: 'data lines without the blank line', head: '', chunk: `data: ${kib64}\n`, limit: undefined },
    { what: 'one line past a small maxEventLength', head: 'data: ', chunk: 'y'.repeat(1024), limit: 4096 },
  ])('WHEN it sends $what THEN the client cuts the stream and stops with message_too_large', async ({ head, chunk, limit }) => {
    const MAX = 64 * 1024 * 1024;
    let written: Promise<number> | undefined;
    server = await startHostileServer({
      sse: (res) => {
        sseEvents(res, [['hello', helloFrame()], ['subscribed', subscribedFrame('t')], [undefined, envelope('t', 1, { data: 'a'.repeat(100_000) })]]);
        res.write(head);
        written = flood(res, chunk, MAX);
      },
    });
    const received: unknown[] = [];
    const transport = fetchSseTransport(limit ? { maxEventLength: limit } : {});
    client = createBaseClient({ url: server.url, transports: [transport], platform: nodePlatform, ...fastClientOptions });
    client.subscribe('t', { onMessage: (message) => received.push(message.data) });
    await until(() => client!.getState().status === 'closed', 'the client to give up the stream', 15_000);
    expect(client.getState().error?.code).toBe('message_too_large');
    // The honest 100 KB event before it went through (no false positive under the default).
    expect(received).toEqual(limit ? [] : ['a'.repeat(100_000)]);
    expect(await written).toBeLessThan(MAX);
    expect(server.attempts()).toBe(1);
  });
});

describe('GIVEN an HTTP answer that never ends', () => {
  const mib = 'z'.repeat(1024 * 1024);
  test.each([
    { what: 'a long-poll answer (maxAnswerLength 1 Mi)', name: 'long-poll' as const, limit: 1024 * 1024, max: 64 * 1024 * 1024 },
    { what: 'a long-poll answer (default 64 Mi)', name: 'long-poll' as const, limit: undefined, max: 128 * 1024 * 1024 },
    { what: 'a fetch-SSE error body', name: 'fetch-sse' as const, limit: undefined, max: 16 * 1024 * 1024 },
  ])('WHEN it is $what THEN the client stops reading it and fails the attempt', async ({ name, limit, max }) => {
    let written: Promise<number> | undefined;
    const endless = (res: ServerResponse, status: number) => {
      if (written) return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.write('{"cursor":"');
      written = flood(res, mib, max);
    };
    server = await startHostileServer({ sse: (res) => endless(res, 503), poll: (res, _n, first) => first && endless(res, 200) });
    client = createBaseClient({
      url: server.url,
      transports: [name === 'long-poll' ? longPollTransport(limit ? { maxAnswerLength: limit } : {}) : fetchSseTransport()],
      platform: nodePlatform,
      ...fastClientOptions,
      // Only the cap may end the read: not the connect timeout.
      connectTimeoutMs: 60_000,
    });
    client.subscribe('t', {});
    await until(() => written !== undefined && client!.getState().error !== null, 'the attempt to fail', 15_000);
    expect(await written).toBeLessThan(max);
  });
});

describe('GIVEN something answering every long poll at once with nothing (a cache that ignores no-store)', () => {
  test('WHEN the client polls THEN it backs off instead of polling again at once', async () => {
    let polls = 0;
    server = await startHostileServer({
      poll: (res) => {
        polls++;
        jsonAnswer(res, 200, { cursor: 'c', messages: [], heartbeatMs: 15_000, more: false });
      },
    });
    // Randomness near 1: the rests are close to their window (about 1 s, then 2 s).
    client = createBaseClient({ url: server.url, transports: [longPollTransport()], platform: { ...nodePlatform, random: () => 0.99 } });
    client.subscribe('t', {});
    // The first poll answers at once by design, and one empty waiting answer may be a closing hub's last.
    await until(() => polls >= 3, 'two waiting polls');
    // Without pacing this window saw about 150 polls (540/s); with it, at most the one after the first rest.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(polls).toBeLessThanOrEqual(4);
    expect(client.getState().status).toBe('open');
  });

  test('WHEN the hub answers a waiting poll with messages at once THEN the next poll goes out at once', async () => {
    let polls = 0;
    server = await startHostileServer({
      poll: (res) => {
        polls++;
        if (polls <= 50) jsonAnswer(res, 200, { cursor: 'c', messages: [envelope('t', polls, { id: `m${polls}` })], heartbeatMs: 15_000, more: false });
      },
    });
    const received: unknown[] = [];
    client = createBaseClient({ url: server.url, transports: [longPollTransport()], platform: { ...nodePlatform, random: () => 0.99 } });
    client.subscribe('t', { onMessage: (message) => received.push(message.data) });
    await until(() => received.length === 50, 'fifty answers with a message each, polled back to back', 3000);
  });
});

describe('GIVEN a server that sends hello twice, then pings often', () => {
  test.each(transportNames.filter((name) => name !== 'long-poll'))('WHEN the session runs over %s THEN the watchdog counts the pings (no heartbeat_timeout)', async (name) => {
    let pings = 0;
    const hello = helloFrame(200);
    const ping = () => void pings++;
    server = await startHostileServer({
      ws: (socket) => {
        socket.send(JSON.stringify(hello));
        socket.send(JSON.stringify(hello));
        const timer = setInterval(() => (socket.send('{"type":"ping"}'), ping()), 50);
        socket.on('close', () => clearInterval(timer));
      },
      sse: (res) => {
        sseEvents(res, [['hello', hello], ['hello', hello]]);
        const timer = setInterval(() => (sseEvents(res, [['ping', {}]]), ping()), 50);
        res.on('close', () => clearInterval(timer));
      },
    });
    const timeouts: string[] = [];
    client = createBaseClient({
      url: server.url,
      transports: [transportsByName[name]()],
      platform: nodePlatform,
      heartbeatGraceMs: 100,
      debug: (event) => event === 'heartbeat_timeout' && timeouts.push(event),
    });
    client.subscribe('t', {});
    // 30 pings span five watchdog windows (200 + 100 ms): a watchdog no beat reaches has expired by then.
    await until(() => pings >= 30, 'thirty pings');
    expect(timeouts).toEqual([]);
    expect(server.attempts()).toBe(1);
  });
});

describe('GIVEN a server whose first message of a topic has an offset that is no number', () => {
  const bad = envelope('t', 1, { offset: { toString: 1 } });
  test.each(transportNames.filter((name) => name !== 'websocket'))('WHEN the %s session ends after it THEN the client reconnects (no throw out of connect)', async (name) => {
    server = await startHostileServer({
      sse: (res) => {
        sseEvents(res, [['hello', helloFrame()], [undefined, bad]]);
        res.end();
      },
      // `reconnectWithinMs` ends the session: the next one is a new connect with the stored position.
      poll: (res, _n, first) => first && jsonAnswer(res, 200, { cursor: 'c', messages: [bad], heartbeatMs: 15_000, more: false, reconnectWithinMs: 0 }),
    });
    client = createBaseClient({ url: server.url, transports: [transportsByName[name]()], platform: nodePlatform, ...fastClientOptions });
    client.subscribe('t', {});
    await until(() => server!.attempts() >= 3, 'two reconnects');
    expect(client.getState().status).not.toBe('closed');
  });
});
