import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { connect } from 'node:net';
import { attachHub, createHub, createMemoryBroker, createNodeHandler, RealtimeError } from '@qwik-realtime/server';
import type { Broker, Hub, HubOptions } from '@qwik-realtime/server';
import { createHubMetrics } from '@qwik-realtime/server/metrics';
import { afterEach, expect, test } from 'vitest';
import { openSse, openWs, pollDriver, publishHttp, sseDriver, wsDriver } from './helpers/index.js';
import type { TransportDriver } from './helpers/index.js';
import { parseScrape, scrape } from './ops-metrics-text.js';

const P = 'qwik_realtime_';

interface MetricsServer {
  hub: Hub;
  origin: string;
  base: string;
  close(): Promise<void>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A hub on port 0 with `/metrics` mounted next to it the way docs/operations.md shows. */
async function startMetricsServer(options: HubOptions = {}, withMetrics = true): Promise<MetricsServer> {
  const hub = createHub({ onError: () => undefined, ...options });
  const metrics = withMetrics ? createHubMetrics(hub, { broker: 'memory' }) : undefined;
  const handler = createNodeHandler(hub);
  const server = createServer((req, res) => handler(req, res, () => (metrics ? metrics.nodeHandler(req, res) : res.writeHead(404).end())));
  const detach = attachHub(server, hub, { refuseOtherUpgrades: true });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const started: MetricsServer = {
    hub,
    origin,
    base: `${origin}${hub.options.path}`,
    async close() {
      await hub.close();
      detach();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  cleanups.push(() => started.close());
  return started;
}

/** Subscribe to `topic` asking for its last `count` messages; resolves with the `replayed` the hub announced. */
type HistoryReader = (server: MetricsServer, topic: string, count: number) => Promise<number>;

const readHistory: Record<TransportDriver['name'], HistoryReader> = {
  async sse({ base }, topic, count) {
    const stream = await openSse(`${base}/sse?topic=${topic}&history=${count}`);
    const subscribed = await stream.events.take((e) => e.event === 'subscribed');
    for (let i = 0; i < count; i++) await stream.events.take((e) => e.event === 'message');
    stream.close();
    return subscribed.json.replayed;
  },
  async ws({ base }, topic, count) {
    const client = await openWs(`${base.replace(/^http/, 'ws')}/ws`);
    client.send({ type: 'subscribe', topic, history: count });
    const subscribed = await client.frames.take((f) => f.type === 'subscribed');
    for (let i = 0; i < count; i++) await client.frames.take((f) => f.type === 'message');
    client.close();
    await client.closed;
    return subscribed.replayed;
  },
  async poll({ base }, topic, count) {
    const body = await (await fetch(`${base}/poll?topic=${topic}&history=${count}`)).json();
    expect(body.messages).toHaveLength(count);
    return body.subscriptions[0].replayed;
  },
};

test.each([sseDriver, wsDriver, pollDriver])(
  'GIVEN a hub with metrics WHEN a $name client subscribes, publishes arrive, it replays history and resumes from a trimmed position THEN /metrics shows each count with its transport label',
  async (driver) => {
    const server = await startMetricsServer({ broker: createMemoryBroker({ historySize: 3 }) });
    const transport = driver.name;
    const metrics = `${server.origin}/metrics`;
    for (let n = 1; n <= 3; n++) await server.hub.publish('feed', { n });

    // A replay: the last 2 of 3 stored messages.
    expect(await readHistory[transport](server, 'feed', 2)).toBe(2);
    await expect.poll(async () => (await scrape(metrics)).value(`${P}connections`, { transport })).toBe(0);

    // Live: a subscriber and two publishes through POST /publish.
    const live = await driver.open(server.base, ['live']);
    await live.subscribed.count(1);
    // A long-poll counts only while it waits (between two answers).
    await expect.poll(async () => (await scrape(metrics)).value(`${P}subscriptions`, { transport })).toBe(1);
    for (let n = 1; n <= 2; n++) expect((await publishHttp(server.base, { topic: 'live', data: { n } })).status).toBe(200);
    await live.messages.count(2);
    const position = live.positions();
    await live.close();
    // Written is counted, read or not: wait until the hub has seen the client go.
    await expect.poll(() => server.hub.stats().connections[transport]).toBe(0);

    // Resume from offset 2 after the 3-message window moved past it: `recovered: false`.
    for (let n = 3; n <= 6; n++) await server.hub.publish('live', { n });
    const resumed = await driver.open(server.base, ['live'], position);
    expect((await resumed.subscribed.count(1))[0]).toMatchObject({ recovered: false, replayed: 0 });
    await resumed.close();

    const text = await scrape(metrics);
    expect(text.types.get(`${P}messages_out_total`)).toBe('counter');
    expect(text.types.get(`${P}subscriptions`)).toBe('gauge');
    expect(text.value(`${P}info`, { broker: 'memory' })).toBe(1);
    expect(text.value(`${P}messages_in_total`, { broker: 'memory' })).toBe(9);
    for (const each of ['sse', 'ws', 'poll'] as const) {
      const mine = each === transport;
      expect(text.value(`${P}messages_out_total`, { transport: each }), each).toBe(mine ? 4 : 0);
      expect(text.value(`${P}replays_total`, { transport: each }), each).toBe(mine ? 1 : 0);
      expect(text.value(`${P}replayed_messages_total`, { transport: each }), each).toBe(mine ? 2 : 0);
      expect(text.value(`${P}recovered_false_total`, { transport: each }), each).toBe(mine ? 1 : 0);
    }
    expect(text.value(`${P}broker_errors_total`, { broker: 'memory', operation: 'publish' })).toBe(0);
    expect(text.value(`${P}dead_letters_total`, { reason: 'invalid' })).toBe(0);
    expect(text.value(`${P}handshake_refusals_total`, { code: 'try_again_later' })).toBe(0);
  },
);

/** A client->server text frame (payload < 126 bytes) with an all-zero mask, so the payload goes as is. */
const maskedTextFrame = (text: string) => String.fromCharCode(0x81, 0x80 | text.length, 0, 0, 0, 0) + text;

test.each([
  ['sse', 'GET /realtime/sse?topic=feed HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n'],
  [
    'ws',
    'GET /realtime/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n' +
      maskedTextFrame(JSON.stringify({ type: 'subscribe', topic: 'feed' })),
  ],
] as const)('GIVEN a %s client that stops reading WHEN it is cut as a slow consumer THEN disconnects_total counts it under its transport', async (transport, request) => {
  const server = await startMetricsServer({ maxBufferedBytes: 256 * 1024, broker: createMemoryBroker({ historySize: 10 }) });
  const socket = connect(Number(new URL(server.origin).port), '127.0.0.1');
  cleanups.push(() => void socket.destroy());
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  socket.write(Buffer.from(request, 'latin1'));
  socket.pause();
  await expect.poll(() => server.hub.stats().topics.feed).toBe(1);
  const payload = 'x'.repeat(32 * 1024);
  // Bounded: kernel socket buffers on loopback absorb a few MB before the hub's own buffer fills.
  for (let published = 0; server.hub.sessions().length > 0 && published < 3000; published++) await server.hub.publish('feed', payload);
  expect(server.hub.sessions()).toEqual([]);
  const text = await scrape(`${server.origin}/metrics`);
  expect(text.value(`${P}disconnects_total`, { transport, code: 'slow_consumer' })).toBe(1);
  const other = transport === 'sse' ? 'ws' : 'sse';
  expect(text.value(`${P}disconnects_total`, { transport: other, code: 'slow_consumer' })).toBe(0);
});

test('GIVEN a hub without createHubMetrics THEN its handlers do not serve /metrics (nor under the mount path)', async () => {
  const server = await startMetricsServer({}, false);
  expect((await fetch(`${server.origin}/metrics`)).status).toBe(404);
  expect((await fetch(`${server.base}/metrics`)).status).toBe(404);
});

test('GIVEN a hub with metrics WHEN a handshake is refused with try_again_later THEN handshake_refusals_total counts it', async () => {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  // The first SSE handshake holds the only slot while `authenticate` waits; the second one is refused.
  const server = await startMetricsServer({ maxConcurrentHandshakes: 1, authenticate: async () => (await held, { id: 'u' }) });
  cleanups.push(() => release());
  const first = openSse(`${server.base}/sse?topic=a`);
  await expect.poll(async () => (await scrape(`${server.origin}/metrics`)).value(`${P}handshakes_in_flight`)).toBe(1);
  const refused = await fetch(`${server.base}/sse?topic=a`);
  expect(refused.status).toBe(503);
  expect((await refused.json()).code).toBe('try_again_later');
  release();
  (await first).close();
  const text = await scrape(`${server.origin}/metrics`);
  expect(text.value(`${P}handshake_refusals_total`, { code: 'try_again_later' })).toBe(1);
});

test('GIVEN createHubMetrics WHEN its fetchHandler gets GET /metrics (a Qwik City route) THEN it answers the text format; other requests get undefined', async () => {
  const hub = createHub({ onError: () => undefined });
  cleanups.push(() => hub.close());
  const metrics = createHubMetrics(hub, { prefix: 'app_', broker: 'nats' });
  await hub.publish('a', 1);
  const response = await metrics.fetchHandler(new Request('http://localhost/metrics'));
  expect(response?.status).toBe(200);
  expect(response?.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  expect(parseScrape(await response!.text()).value('app_messages_in_total', { broker: 'nats' })).toBe(1);
  expect(await metrics.fetchHandler(new Request('http://localhost/other'))).toBeUndefined();
  expect(await metrics.fetchHandler(new Request('http://localhost/metrics', { method: 'POST' }))).toBeUndefined();
});

/** A memory broker whose history reads and publishes fail the way a broker that lost its backend does. */
function brokerWithoutBackend(): Broker {
  const memory = createMemoryBroker();
  const down = () => Promise.reject(new RealtimeError('broker_unavailable', 'backend down'));
  return { subscribe: memory.subscribe, close: memory.close, history: down, publish: down };
}

const failedSubscribe: Record<TransportDriver['name'], (server: MetricsServer) => Promise<void>> = {
  async sse({ base }) {
    const stream = await openSse(`${base}/sse?topic=t&history=1`);
    expect((await stream.events.take((e) => e.event === 'error')).json.code).toBe('broker_unavailable');
    stream.close();
  },
  async ws({ base }) {
    const client = await openWs(`${base.replace(/^http/, 'ws')}/ws`);
    client.send({ type: 'subscribe', topic: 't', history: 1 });
    expect((await client.frames.take((f) => f.type === 'error')).code).toBe('broker_unavailable');
    client.close();
  },
  async poll({ base }) {
    const response = await fetch(`${base}/poll?topic=t&history=1`);
    expect((await response.json()).code).toBe('broker_unavailable');
  },
};

test.each(['sse', 'ws', 'poll'] as const)('GIVEN a broker that lost its backend WHEN a %s client subscribes and the server publishes THEN broker_errors_total counts a subscribe and a publish', async (transport) => {
  const server = await startMetricsServer({ broker: brokerWithoutBackend() });
  await failedSubscribe[transport](server);
  await expect(server.hub.publish('t', 1)).rejects.toMatchObject({ code: 'broker_unavailable' });
  const text = await scrape(`${server.origin}/metrics`);
  expect(text.value(`${P}broker_errors_total`, { broker: 'memory', operation: 'subscribe' })).toBe(1);
  expect(text.value(`${P}broker_errors_total`, { broker: 'memory', operation: 'publish' })).toBe(1);
  expect(text.value(`${P}messages_in_total`, { broker: 'memory' })).toBe(0);
});

test('GIVEN a hub with metrics WHEN publishes are rejected as invalid and rate-limited THEN dead_letters_total and rate_limited_total show hub.stats() per reason and scope', async () => {
  const server = await startMetricsServer({ inboundFramesPerSecond: 1, inboundFrameBurst: 1 });
  expect((await publishHttp(server.base, { topic: 'bad topic!', data: 1 })).status).toBe(400);
  expect((await publishHttp(server.base, { topic: 'ok', data: 1 })).status).toBe(429);
  const stats = server.hub.stats();
  expect(stats.deadLetters.invalid).toBe(1);
  expect(stats.rateLimited.address).toBeGreaterThan(0);
  const text = await scrape(`${server.origin}/metrics`);
  for (const [reason, count] of Object.entries(stats.deadLetters)) expect(text.value(`${P}dead_letters_total`, { reason }), reason).toBe(count);
  for (const [scope, count] of Object.entries(stats.rateLimited)) expect(text.value(`${P}rate_limited_total`, { scope }), scope).toBe(count);
});

test('GIVEN createHubMetrics without a broker option THEN the broker label is the broker kind (memory for the default broker, unknown for one without a kind)', async () => {
  const hub = createHub({ onError: () => undefined });
  const { kind: _kind, ...nameless } = createMemoryBroker();
  const other = createHub({ onError: () => undefined, broker: nameless });
  cleanups.push(async () => (await hub.close(), await other.close()));
  expect(parseScrape(await createHubMetrics(hub).metrics()).value(`${P}info`, { broker: 'memory' })).toBe(1);
  expect(parseScrape(await createHubMetrics(other).metrics()).value(`${P}info`, { broker: 'unknown' })).toBe(1);
});
