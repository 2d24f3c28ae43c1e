/**
 * Child process of the reconnect-storm benchmark (storm.ts): one hub process, driven over IPC.
 *
 * Built by storm.ts into plain JavaScript and run as `node .build/storm-hub.mjs <memory|redis> <port> <prefix>
 * [maxConcurrentHandshakes]`.
 * It does not listen until told to, so the parent can start the next hub before it stops the current one and
 * hand the port over in milliseconds. Commands (see storm-procs.ts):
 * - `listen`: listen on the port;
 * - `publish` `{ rate, topics }`: publish `rate` msg/s round-robin over `topics`, `data` = `{ k }` with `k`
 *   counting per topic from 1 (open loop, 1 ms ticks);
 * - `stopPublish`: stop; answers the last `k` of every topic and the number of failed publishes;
 * - `unlisten`: stop accepting connections (the open ones stay);
 * - `drain` `{ drainMs }`: `hub.close({ drainMs })`;
 * - `stats` `{ reset? }`: peak RSS, event-loop delay and CPU time since the last reset, connection counts, the
 *   times of WebSocket upgrades and of TCP connections accepted, the history reads that reached the broker.
 */
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createRedisBroker } from '../packages/server/src/brokers/redis.js';
import { attachHub, createHub, createMemoryBroker, createNodeHandler } from '../packages/server/src/index.js';
import { serveCommands } from './storm-procs.js';

const [brokerName = 'memory', portText = '0', prefix = `storm${process.pid}`, maxHandshakes] = process.argv.slice(2);

/**
 * A connected Redis client before the hub listens, as a server started for real would: the broker's own lazy
 * `import('redis')` on the first subscribe blocked a fresh hub's event loop for ~5 s on this loaded machine,
 * which measures a cold module load, not the storm. (A name in a variable: the bench does not depend on redis.)
 */
async function redisClient() {
  const name = 'redis';
  const { createClient } = await import(name);
  const client = createClient({ url: 'redis://127.0.0.1:6379', disableOfflineQueue: true });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

const base =
  brokerName === 'redis'
    ? createRedisBroker({ client: await redisClient(), prefix: `${prefix}:`, historyTtlMs: 120_000, idleTtlMs: 120_000 })
    : createMemoryBroker();
// History reads that reach the broker (each one a Redis round trip with Redis): what the resumes cost it.
let historyReads = 0;
let historyMessages = 0;
// Distinct (topic, query) among them: how many reads identical-read sharing could save at best.
let historyKeys = new Set<string>();
const broker: typeof base = {
  ...base,
  history: async (topic, query) => {
    historyReads++;
    historyKeys.add('since' in query ? `${topic} ${query.since.epoch} ${query.since.offset} ${query.limit}` : `${topic} last ${query.last}`);
    const result = await base.history(topic, query);
    historyMessages += result.messages.length;
    return result;
  },
};
const hub = createHub({ broker, ...(maxHandshakes ? { maxConcurrentHandshakes: Number(maxHandshakes) } : {}) });
const server = createServer(createNodeHandler(hub));
server.keepAliveTimeout = 30_000;
attachHub(server, hub);

// When this hub saw each WebSocket upgrade (shared wall clock): set against the clients' attempts, it tells
// time queued before the hub (the kernel's accept queue, a busy loop) from time spent after it.
const now = () => performance.timeOrigin + performance.now();
let upgrades: number[] = [];
let accepts: number[] = [];
server.on('upgrade', () => upgrades.push(now()));
server.on('connection', () => accepts.push(now()));

const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();
let peakRss = process.memoryUsage.rss();
let cpuFrom = process.cpuUsage();
// Peak handshakes + replays running at once (the `maxConcurrentHandshakes` cap), sampled with the RSS.
let peakInFlight = 0;
const inFlight = () => (hub.stats() as { handshakesInFlight?: number }).handshakesInFlight ?? 0;
setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  peakInFlight = Math.max(peakInFlight, inFlight());
}, 20).unref();

let publishing: { stop: boolean; done: Promise<void> } | undefined;
const lastK: Record<string, number> = {};
let failed = 0;

function startPublishing(rate: number, topics: string[]): void {
  const state = { stop: false, done: Promise.resolve() };
  state.done = (async () => {
    const start = performance.now();
    let i = 0;
    while (!state.stop) {
      const due = Math.floor(((performance.now() - start) * rate) / 1000);
      for (; i < due; i++) {
        const topic = topics[i % topics.length]!;
        const k = (lastK[topic] ?? 0) + 1;
        lastK[topic] = k;
        // A failed publish is not a message: it does not count as published (nor as lost).
        hub.publish(topic, { k }).catch(() => {
          failed++;
          if (lastK[topic] === k) lastK[topic] = k - 1;
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  })();
  publishing = state;
}

const ms = (ns: number) => Math.round(ns / 1e5) / 10;

async function handle(command: Record<string, any>): Promise<object> {
  switch (command.cmd) {
    case 'listen':
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ port: Number(portText), host: '127.0.0.1', backlog: 4096 }, () => resolve());
      });
      return { listening: true };
    case 'publish':
      startPublishing(command.rate, command.topics);
      return {};
    case 'stopPublish': {
      if (publishing) {
        publishing.stop = true;
        await publishing.done;
      }
      // Let publishes in flight settle (a failure takes its k back).
      await new Promise((resolve) => setTimeout(resolve, 200));
      return { lastK, failed };
    }
    case 'unlisten':
      server.close();
      return {};
    case 'drain':
      await hub.close({ drainMs: command.drainMs });
      return {};
    case 'stats': {
      const stats = hub.stats();
      const answer = {
        peakRssMb: Math.round(Math.max(peakRss, process.memoryUsage.rss()) / 2 ** 20),
        eventLoopDelayMs: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
        connections: stats.connections,
        peakHandshakesInFlight: peakInFlight,
        handshakeRefusals: (stats as { handshakeRefusals?: number }).handshakeRefusals ?? null,
        maxConcurrentHandshakes: hub.options.maxConcurrentHandshakes,
        upgrades,
        accepts,
        historyReads,
        historyMessages,
        historyKeys: historyKeys.size,
        counts: { messagesOut: stats.messagesOut, replayedMessages: stats.replayedMessages, disconnects: stats.disconnects },
        cpuMs: Math.round((process.cpuUsage(cpuFrom).user + process.cpuUsage(cpuFrom).system) / 1000),
      };
      if (command.reset) {
        delay.reset();
        peakRss = process.memoryUsage.rss();
        cpuFrom = process.cpuUsage();
        peakInFlight = inFlight();
        upgrades = [];
        accepts = [];
        historyReads = 0;
        historyMessages = 0;
        historyKeys = new Set();
      }
      return answer;
    }
  }
  throw new Error(`storm-hub: unknown command ${command.cmd}`);
}

serveCommands(handle);
