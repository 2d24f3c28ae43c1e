/**
 * Focused micro-bench of what a new hub does per resume in a reconnect storm, without sockets: `resumes`
 * subscriptions (spread over `topics` topics) resume with `since` `missed` messages behind the head, through
 * the hub's topic registry and subscription code, against a real broker. Each replayed message is encoded as
 * a WebSocket frame (what writing it costs before the socket). Compared: the broker as it is (`direct`)
 * and behind the hub's read sharing (`shared`, what createHub uses). Arrivals: all in one turn (`burst`), or
 * one wave every `waveMs` over `spreadMs` (`spread`).
 *
 *   node --import tsx bench/storm-resume.ts [--broker=redis|memory] [--resumes=1000] [--topics=10]
 *     [--missed=50] [--cursors=1] [--spread-ms=1000] [--wave-ms=10] [--rounds=3]
 *
 * `--cursors=N` gives each topic's subscribers N different cursors (one message apart). Prints one line per
 * mode and arrival: CPU ms of this process, wall ms until every replay is written, history reads that reached
 * the broker, and (Redis) EVALSHA calls Redis counted. The best of `rounds` is kept.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Broker } from '../packages/server/src/broker.js';
import { createMemoryBroker } from '../packages/server/src/brokers/memory.js';
import { createRedisBroker } from '../packages/server/src/brokers/redis.js';
import type { RedisClientLike } from '../packages/server/src/brokers/redis.js';
import type { Outbound } from '../packages/server/src/outbound.js';
import { shareHistoryReads } from '../packages/server/src/shared-reads.js';
import { createSubscription } from '../packages/server/src/subscription.js';
import { createTopicRegistry } from '../packages/server/src/topic-registry.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const config = {
  broker: flag('broker', 'redis'),
  resumes: Number(flag('resumes', '1000')),
  topics: Number(flag('topics', '10')),
  missed: Number(flag('missed', '50')),
  cursors: Number(flag('cursors', '1')),
  spreadMs: Number(flag('spread-ms', '1000')),
  waveMs: Number(flag('wave-ms', '10')),
  rounds: Number(flag('rounds', '3')),
};
const topics = Array.from({ length: config.topics }, (_, i) => `resume/${i}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** node-redis as the server package has it (the bench package does not depend on it). */
async function redisClient(): Promise<RedisClientLike> {
  const { createClient } = await import(pathToFileURL(createRequire(new URL('../packages/server/package.json', import.meta.url)).resolve('redis')).href);
  const client = createClient({ url: 'redis://127.0.0.1:6379', disableOfflineQueue: true });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}
const evalshaCalls = async (admin: RedisClientLike) => {
  const info = String(await admin.sendCommand(['INFO', 'commandstats']));
  return Number(/cmdstat_evalsha:calls=(\d+)/.exec(info)?.[1] ?? 0);
};

const prefix = `resume${process.pid}:`;
const admin = config.broker === 'redis' ? await redisClient() : undefined;
const client = config.broker === 'redis' ? await redisClient() : undefined;
const base: Broker = client ? createRedisBroker({ client, prefix }) : createMemoryBroker();
for (const topic of topics) for (let n = 0; n < config.missed + config.cursors + 5; n++) await base.publish(topic, { id: `${topic}-${n}`, data: { n, text: 'x'.repeat(60) }, timestamp: Date.now() });
const heads = await Promise.all(topics.map(async (topic) => (await base.history(topic, { last: 0 })).head));

/** One run: every resume started (as `arrival` says), resolved once its replay is encoded. */
async function run(mode: 'direct' | 'shared', arrival: 'burst' | 'spread') {
  let reads = 0;
  const counted: Broker = { ...base, history: (topic, query) => (reads++, base.history(topic, query)) };
  const broker = mode === 'shared' ? shareHistoryReads(counted) : counted;
  const registry = createTopicRegistry(broker, () => undefined);
  const calls = admin ? await evalshaCalls(admin) : 0;
  let frames = 0;
  const output = {
    subscribed: () => undefined,
    message: (outbound: Outbound) => void (frames += outbound.wsFramed().length > 0 ? 1 : 0),
    failed: (error: Error) => {
      throw error;
    },
  };
  const subscriptions: ReturnType<typeof createSubscription>[] = [];
  const resume = (i: number) => {
    const t = i % topics.length;
    const head = heads[t]!;
    const subscription = createSubscription(topics[t]!, registry, broker, output);
    subscriptions.push(subscription);
    const offset = head.offset - config.missed - (Math.floor(i / topics.length) % config.cursors);
    return subscription.start({ since: { offset, epoch: head.epoch } });
  };
  const cpu = process.cpuUsage();
  const started = performance.now();
  const all: Promise<void>[] = [];
  if (arrival === 'burst') {
    for (let i = 0; i < config.resumes; i++) all.push(resume(i));
  } else {
    const waves = Math.max(1, Math.floor(config.spreadMs / config.waveMs));
    const perWave = Math.ceil(config.resumes / waves);
    for (let i = 0; i < config.resumes; i += perWave) {
      for (let j = i; j < Math.min(config.resumes, i + perWave); j++) all.push(resume(j));
      await sleep(config.waveMs);
    }
  }
  await Promise.all(all);
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const expected = config.resumes * config.missed;
  if (frames < expected) throw new Error(`bench: ${frames} frames written, expected at least ${expected}`);
  for (const subscription of subscriptions) subscription.stop();
  await registry.close();
  return { cpuMs: Math.round((used.user + used.system) / 1000), wallMs: Math.round(wallMs), reads, evalsha: admin ? (await evalshaCalls(admin)) - calls : null };
}

console.log(`storm-resume ${JSON.stringify(config)}`);
for (const arrival of ['burst', 'spread'] as const) {
  for (const mode of ['direct', 'shared'] as const) {
    const results = [];
    for (let round = 0; round < config.rounds; round++) results.push(await run(mode, arrival));
    const best = results.reduce((a, b) => (b.cpuMs < a.cpuMs ? b : a));
    console.log(`${arrival.padEnd(6)} ${mode.padEnd(6)} cpu ${best.cpuMs} ms, wall ${best.wallMs} ms, broker reads ${best.reads}, evalsha ${best.evalsha ?? '-'} (CPU of each round: ${results.map((r) => r.cpuMs).join(', ')})`);
  }
}
if (admin) {
  for await (const keys of (admin as unknown as { scanIterator(o: object): AsyncIterable<string[]> }).scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) if (keys.length) await admin.sendCommand(['DEL', ...keys]);
  admin.destroy();
}
await base.close();
client?.destroy();
process.exit(0);

