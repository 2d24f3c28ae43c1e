/**
 * How the core client fails, on every transport: a server that accepts TCP and never answers (connect
 * timeout, backoff, fallback), a throwing `getToken` (one error for the connection and for publish), a
 * client closed while a publish waits for its retry, a WebSocket publish given up on.
 */
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';

import type { BaseClientOptions, ConnectionState, PublishAck, PublishError, RealtimeClient, TransportEvents, TransportName } from '@qwik-realtime/core';
import { createBaseClient, resolvePlatform, webSocketTransport } from '@qwik-realtime/core';
import { RealtimeError, createMemoryBroker } from '@qwik-realtime/server';
import type { Broker } from '@qwik-realtime/server';
import { fastClientOptions, nodePlatform, startClientHub, transportNames, transportsByName, until } from './client-fixtures.js';
import type { ClientTestHub } from './client-fixtures.js';

let hub: ClientTestHub | undefined;
let client: RealtimeClient | undefined;
let blackHole: { server: Server; sockets: Set<Socket>; requests: Set<Socket> } | undefined;
afterEach(async () => {
  client?.close();
  client = undefined;
  await hub?.close();
  hub = undefined;
  if (blackHole) {
    for (const socket of blackHole.sockets) socket.destroy();
    await new Promise((resolve) => blackHole!.server.close(resolve));
    blackHole = undefined;
  }
});

const fast = fastClientOptions;

/** A TCP server that accepts every connection and never writes a byte. */
async function startBlackHole(): Promise<string> {
  const sockets = new Set<Socket>();
  // Connections that carried a request and are still open (an HTTP client may also open idle spares).
  const requests = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('data', () => requests.add(socket));
    socket.on('close', () => {
      sockets.delete(socket);
      requests.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  blackHole = { server, sockets, requests };
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/realtime`;
}

/** A memory broker whose `publish` fails with `broker_unavailable` (retryable), counting the calls. */
function brokerRefusingPublish(): Broker & { publishes: number; hold?: Promise<void> } {
  const inner = createMemoryBroker();
  const broker = {
    publishes: 0,
    hold: undefined as Promise<void> | undefined,
    async publish(topic: string, message: Parameters<Broker['publish']>[1]) {
      broker.publishes++;
      if (broker.hold) {
        await broker.hold;
        return inner.publish(topic, message);
      }
      throw new RealtimeError('broker_unavailable', 'publish refused (test)', topic);
    },
    subscribe: inner.subscribe.bind(inner),
    history: inner.history.bind(inner),
    close: () => inner.close(),
  };
  return broker;
}

describe.each(transportNames)('failures over %s', (name) => {
  const other = transportNames[(transportNames.indexOf(name) + 1) % transportNames.length]!;

  test(`GIVEN a black-hole server THEN ${name} times out, falls back to ${other}, and backs off`, async () => {
    const url = await startBlackHole();
    const events: string[] = [];
    const states: ConnectionState[] = [];
    client = createBaseClient({
      url,
      transports: [transportsByName[name](), transportsByName[other]()],
      platform: nodePlatform,
      ...fast,
      connectTimeoutMs: 150,
      debug(event, detail) {
        const { transport, attempt } = (detail ?? {}) as { transport?: string; attempt?: number };
        events.push(event === 'attempt' ? `attempt:${transport}@${attempt}` : event);
      },
    });
    const c = client;
    c.onState((s) => states.push(s));
    c.subscribe('t', {});
    await until(() => events.filter((e) => e.startsWith('attempt:')).length >= 3, 'three attempts');
    const attempts = events.filter((e) => e.startsWith('attempt:') || e === 'connect_timeout');
    // The fallback keeps the attempt count; once both failed, the chain starts over with backoff (attempt 1).
    expect(attempts.slice(0, 5)).toEqual([`attempt:${name}@0`, 'connect_timeout', `attempt:${other}@0`, 'connect_timeout', `attempt:${name}@1`]);
    expect(states.some((s) => s.status === 'reconnecting' && s.attempt >= 1 && s.nextRetryAt !== null && s.error?.code === 'disconnected')).toBe(true);
  });

  test('GIVEN getToken throws THEN the connection and publish report the same error (unauthorized, retried with backoff)', async () => {
    hub = await startClientHub({ heartbeatMs: 2000 });
    client = createBaseClient({
      url: hub.url,
      transports: [transportsByName[name]()],
      platform: nodePlatform,
      ...fast,
      publishRetries: 0,
      getToken: () => {
        throw new Error('token service down');
      },
    });
    const c = client;
    c.subscribe('t', {});
    await until(() => c.getState().error !== null, 'connection error');
    const failure = (await c.publish('t', 1).then(
      () => undefined,
      (error: unknown) => error,
    )) as PublishError | undefined;
    expect(failure).toBeInstanceOf(Error);
    const connection = c.getState().error!;
    expect({ code: connection.code, retry: connection.retry }).toEqual({ code: 'unauthorized', retry: 'retry_backoff' });
    expect({ code: failure!.code, retry: failure!.retry }).toEqual({ code: connection.code, retry: connection.retry });
  });

  test('GIVEN a publish waiting for its retry WHEN the client closes THEN it rejects at once and nothing more is sent', async () => {
    const broker = brokerRefusingPublish();
    hub = await startClientHub({ heartbeatMs: 2000, broker });
    client = createBaseClient({ url: hub.url, transports: [transportsByName[name]()], platform: nodePlatform, ...fast, publishRetries: 3 });
    const c = client;
    let live = false;
    c.subscribe('t', { onSubscribed: () => (live = true) });
    await until(() => live, 'subscribed');
    const result = c.publish('t', 1).then(
      () => undefined,
      (error: unknown) => error as PublishError,
    );
    await until(() => broker.publishes === 1, 'first publish refused');
    c.close();
    const failure = await result;
    expect(failure).toMatchObject({ code: 'disconnected', retry: 'no_retry' });
    expect(broker.publishes).toBe(1);
  });
});

describe('WebSocket publish given up on', () => {
  test('GIVEN a publish without ack WHEN its signal aborts THEN the session rejects it and ignores a late ack', async () => {
    const broker = brokerRefusingPublish();
    let release!: () => void;
    broker.hold = new Promise<void>((resolve) => (release = resolve));
    hub = await startClientHub({ heartbeatMs: 2000, broker });
    let opened = false;
    const events: TransportEvents = {
      open: () => void (opened = true),
      subscribed: () => undefined,
      messages: () => undefined,
      error: () => undefined,
      alive: () => undefined,
      closed: () => undefined,
    };
    const session = webSocketTransport().connect({ url: hub.url, topics: [], platform: resolvePlatform(nodePlatform) }, events);
    try {
      await until(() => opened, 'hello');
      const controller = new AbortController();
      const sent: Promise<PublishAck | unknown> = session.publish!({ topic: 't', data: 1, id: 'p1' }, 'ref-1', controller.signal).catch((error: unknown) => error);
      await until(() => broker.publishes === 1, 'publish reached the broker');
      controller.abort();
      expect(await sent).toMatchObject({ code: 'disconnected' });
      // The ack comes after all: the session forgot the request, the next publish is unaffected.
      release();
      const next = await session.publish!({ topic: 't', data: 2, id: 'p2' }, 'ref-2');
      expect(next).toMatchObject({ id: 'p2', offset: 2 });
    } finally {
      session.close();
    }
  });
});

describe('WebSocket warnings', () => {
  test('GIVEN the hub answered a bad frame with a non-fatal error WHEN the network drops later THEN the client reconnects', async () => {
    hub = await startClientHub({ heartbeatMs: 2000 });
    const sockets: { send(data: unknown): void }[] = [];
    const Native = nodePlatform.WebSocket!;
    // The real `ws` socket, remembered so the test can send what the client never would (a binary frame).
    const Remembering = function (url: string) {
      const socket = new Native(url);
      sockets.push(socket as unknown as { send(data: unknown): void });
      return socket;
    } as unknown as typeof Native;
    client = createBaseClient({ url: hub.url, transports: [webSocketTransport()], platform: { ...nodePlatform, WebSocket: Remembering }, ...fast });
    const c = client;
    let subscribed = 0;
    const seen: number[] = [];
    c.subscribe<number>('t', { onSubscribed: () => subscribed++, onMessage: (m) => seen.push(m.data) });
    await until(() => subscribed === 1, 'subscribed');
    sockets[0]!.send(Buffer.from([1, 2, 3]));
    // The warning came back (the session survives it): a publish round trip after it proves the order.
    await hub.hub.publish('t', 1);
    await until(() => seen.length === 1, 'message after the warning');
    hub.cut();
    await hub.hub.publish('t', 2);
    await until(() => seen.length === 2 || c.getState().status === 'closed', 'resumed or stopped');
    expect(c.getState()).toMatchObject({ status: 'open' });
    expect(seen).toEqual([1, 2]);
  });
});

describe('HTTP publish to a server that never answers', () => {
  test('GIVEN POST /publish hangs THEN each timed-out attempt is aborted (no request left open), and close() aborts the last', async () => {
    const url = await startBlackHole();
    client = createBaseClient({ url, transports: [transportsByName['long-poll']()], platform: nodePlatform, ...fast, publishTimeoutMs: 100, publishRetries: 1 });
    const failure = await client.publish('t', 1).then(
      () => undefined,
      (error: unknown) => error as PublishError,
    );
    expect(failure).toMatchObject({ code: 'disconnected' });
    // Both attempts reached the server, and both connections were given up by the client.
    await until(() => blackHole!.requests.size === 0, 'aborted requests closed');
    const pending = client.publish('t', 2).catch((error: unknown) => error as PublishError);
    await until(() => blackHole!.requests.size === 1, 'request in flight');
    client.close();
    expect(await pending).toMatchObject({ code: 'disconnected', retry: 'no_retry' });
    await until(() => blackHole!.requests.size === 0, 'in-flight request aborted by close()');
  });
});

describe('native EventSource refused, then the status probe hangs', () => {
  test('GIVEN the probe fetch never gets an answer WHEN the connect timeout fires THEN the probe is aborted and the client backs off', async () => {
    const requests = new Set<IncomingMessage>();
    const server = createHttpServer((req, res) => {
      // The EventSource request is refused at once; the probe that asks for its status hangs.
      if (req.headers.accept === 'text/event-stream') return res.writeHead(500).end();
      requests.add(req);
      req.socket.on('close', () => requests.delete(req));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/realtime`;
      client = createBaseClient({ url, transports: [transportsByName.sse()], platform: nodePlatform, ...fast, connectTimeoutMs: 200 });
      const c = client;
      c.subscribe('t', {});
      await until(() => requests.size === 1, 'probe in flight');
      await until(() => c.getState().error?.code === 'disconnected', 'connect timeout');
      await until(() => requests.size === 0, 'probe aborted');
      c.close();
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
