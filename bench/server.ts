/**
 * Child process of the benchmarks: one server under test, driven by the parent (the load generator) over IPC.
 *
 * Built by build.ts and run as `node .build/server-<label>.mjs <kind> [broker]` where kind is
 * - `hub`: the hub (SSE + WebSocket on one port) over the `memory`, `redis` or `nats` broker;
 * - `raw-sse`: a plain http server that builds each SSE event once and `res.write`s it to every response;
 * - `better-sse`: better-sse's `createChannel()` + `channel.broadcast()`;
 * - `naive-ws`: `ws` with `for (const c of clients) c.send(JSON.stringify(msg))`.
 *
 * Commands (`{ id, cmd, ... }`, answered with `{ id, ... }`): `count`, `mark`, `memory`, `burst`, `rate`, `stats`.
 * Every message's `data` is `{ n, t, x }`: `t` is the time it was scheduled (ms, wall clock), so the parent
 * measures publish-to-delivery latency without coordinated omission.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeHeapSnapshot } from 'node:v8';
import { createChannel, createSession } from 'better-sse';
import { WebSocketServer } from 'ws';
import { createRedisBroker } from '../packages/server/src/brokers/redis.js';
import { createNatsBroker } from '../packages/server/src/brokers/nats.js';
import { attachHub, createHub, createMemoryBroker, createNodeHandler } from '../packages/server/src/index.js';
import type { Broker } from '../packages/server/src/index.js';

type Kind = 'hub' | 'raw-sse' | 'better-sse' | 'naive-ws';
const kind = process.argv[2] as Kind;
const brokerName = process.argv[3] ?? 'memory';
const prefix = process.env.BENCH_PREFIX ?? `bench${process.pid}`;
const send = (message: object) => process.send?.(message);
const tick = () => new Promise((resolve) => setImmediate(resolve));
const wallClock = () => performance.timeOrigin + performance.now();

async function makeBroker(): Promise<Broker> {
  // Short TTLs: the keys and streams of a benchmark should not outlive it by a day.
  if (brokerName === 'redis') {
    return createRedisBroker({ prefix: `${prefix}:`, historyTtlMs: 60_000, idleTtlMs: 60_000 });
  }
  if (brokerName === 'nats') {
    return createNatsBroker({ prefix, stream: `QR_${prefix}`, storage: 'memory', historyTtlMs: 60_000 });
  }
  return createMemoryBroker({ historySize: 100 });
}

const hub =
  kind === 'hub'
    ? createHub({
        broker: await makeBroker(),
        heartbeatMs: 120_000,
        maxBufferedBytes: Number(process.env.BENCH_MAX_BUFFERED ?? 1024 * 1024),
        maxTopicsPerConnection: 2000,
        // One connection subscribes to 1,000 topics at once in the many-topics shape: no subscribe budget.
        connectionSubscribesPerSecond: 1_000_000,
        connectionSubscribeBurst: 1_000_000,
        inboundFramesPerSecond: 1_000_000,
        inboundFrameBurst: 1_000_000,
        maxQueuedFrames: 100_000,
        maxQueuedBytes: 64 * 1024 * 1024,
      })
    : undefined;
const hubHandler = hub ? createNodeHandler(hub) : undefined;
const raws = new Set<ServerResponse>();
const channel = kind === 'better-sse' ? createChannel() : undefined;

const server = createServer(async (req, res) => {
  if (hubHandler) return hubHandler(req, res);
  if (channel) return channel.register(await createSession(req, res));
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.write('retry: 1000\n\n');
  raws.add(res);
  res.on('close', () => raws.delete(res));
});
const wss = kind === 'naive-ws' ? new WebSocketServer({ server, perMessageDeflate: false }) : undefined;
if (hub) attachHub(server, hub);

const subscriptions = () => {
  if (hub) return Object.values(hub.stats().topics).reduce((sum, n) => sum + n, 0);
  if (channel) return channel.sessionCount;
  if (wss) return wss.clients.size;
  return raws.size;
};

// Peak RSS is sampled only between `mark` and `stats` (reading it costs a syscall; not while measuring speed).
let peakRss = 0;
let sampler: ReturnType<typeof setInterval> | undefined;

let epochSeq = 0;
/** Deliver one message to every subscriber of `topic` the way this kind of server does it. */
function publish(topic: string, data: { n: number; t: number; x: string }): Promise<unknown> | undefined {
  if (hub) return hub.publish(topic, data);
  // The same envelope the hub sends.
  const envelope = { id: randomUUID(), topic, data, timestamp: Date.now(), offset: ++epochSeq, epoch: 'AbCdEfGh' };
  if (channel) channel.broadcast(envelope);
  else if (wss) for (const client of wss.clients) client.send(JSON.stringify({ type: 'message', ...envelope }));
  else {
    const frame = Buffer.from(`id: AbCdEfGh;${topic}=${envelope.offset}\ndata: ${JSON.stringify(envelope)}\n\n`);
    for (const res of raws) res.write(frame);
  }
  return undefined;
}

let mark = { rss: 0, heap: 0, heapTotal: 0, external: 0, count: 0 };
const memory = () => {
  globalThis.gc?.();
  globalThis.gc?.();
  const usage = process.memoryUsage();
  return { rss: usage.rss, heap: usage.heapUsed, heapTotal: usage.heapTotal, external: usage.external, count: subscriptions() };
};

interface Command {
  id: number;
  cmd: 'count' | 'mark' | 'memory' | 'burst' | 'rate' | 'stats' | 'snapshot';
  topics?: string[];
  messages?: number;
  batch?: number;
  size?: number;
  rate?: number;
  seconds?: number;
  path?: string;
}

async function handle(command: Command): Promise<object> {
  const topics = command.topics ?? ['bench'];
  const x = 'x'.repeat(command.size ?? 80);
  switch (command.cmd) {
    case 'count':
      return { count: subscriptions() };
    case 'mark':
      mark = memory();
      peakRss = 0;
      if (!sampler) sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);
      return mark;
    case 'memory': {
      const now = memory();
      const connections = Math.max(1, now.count - mark.count);
      return {
        ...now,
        rssPerConnection: (now.rss - mark.rss) / connections,
        heapPerConnection: (now.heap - mark.heap) / connections,
        heapTotalPerConnection: (now.heapTotal - mark.heapTotal) / connections,
        externalPerConnection: (now.external - mark.external) / connections,
      };
    }
    case 'snapshot':
      return { file: writeHeapSnapshot(command.path) };
    case 'stats':
      clearInterval(sampler);
      sampler = undefined;
      return { peakRss: Math.max(peakRss, process.memoryUsage.rss()), disconnects: hub?.stats().disconnects ?? {} };
    case 'burst': {
      // Closed loop: `batch` messages per event-loop turn, as fast as the server takes them.
      const { messages = 1000, batch = 20 } = command;
      for (let sent = 0; sent < messages; sent += batch) {
        const pending: Promise<unknown>[] = [];
        for (let i = sent; i < Math.min(messages, sent + batch); i++) {
          const promise = publish(topics[i % topics.length]!, { n: i, t: wallClock(), x });
          if (promise) pending.push(promise);
        }
        await Promise.all(pending);
        await tick();
      }
      return { published: messages };
    }
    case 'rate': {
      // Open loop: message i is due at start + i / rate and carries that scheduled time, however late it goes.
      const { rate = 1000, seconds = 1 } = command;
      const total = Math.round(rate * seconds);
      const start = wallClock();
      let i = 0;
      let maxBehindMs = 0;
      let failed = 0;
      while (i < total) {
        const due = Math.min(total, Math.floor(((wallClock() - start) * rate) / 1000) + 1);
        for (; i < due; i++) {
          const scheduled = start + (i * 1000) / rate;
          maxBehindMs = Math.max(maxBehindMs, wallClock() - scheduled);
          publish(topics[i % topics.length]!, { n: i, t: scheduled, x })?.catch(() => failed++);
        }
        if (i < total) await new Promise((resolve) => setTimeout(resolve, 1));
      }
      return { published: total, maxBehindMs: Math.round(maxBehindMs), failed };
    }
  }
}

process.on('message', (command: Command) => {
  handle(command).then(
    (answer) => send({ id: command.id, ...answer }),
    (error) => send({ id: command.id, error: String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => send({ ready: (server.address() as AddressInfo).port }));
