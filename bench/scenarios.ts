/**
 * The benchmarks: fan-out against the alternatives, idle memory, latency under an open-loop publisher,
 * overload with slow readers (many topics and fan-out through Redis and NATS: scenarios-scale.ts). Each returns plain rows.
 */
import { openCrowd, percentile, startServer } from './load.js';
import type { Crowd, Protocol, ServerProcess } from './load.js';

/** Sizes of one run (`--quick` and `--smoke` shrink them). */
export interface BenchConfig {
  rounds: number;
  subscribers: number;
  messages: number;
  batch: number;
  /** Length of `data.x`; the whole `data` is ~130 bytes at the default. */
  size: number;
  idleCounts: number[];
  latencySeconds: number;
  overloadSubscribers: number;
  overloadSeconds: number;
  manyTopics: { connections: number; topicsPerConnection: number; messages: number };
  oneToMany: { topics: number; messages: number };
  brokers: string[];
  cpuProf?: string;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function crowdOn(server: ServerProcess, protocol: Protocol, count: number, options: Parameters<typeof openCrowd>[3] = {}, subscriptionsEach = 1, tolerate = false): Promise<Crowd> {
  const crowd = await openCrowd(server.port, protocol, count, { ...options, wave: async (opened) => void (await server.waitForCount(opened * subscriptionsEach, tolerate ? 3000 : 20_000)) });
  if (!(await server.waitForCount(count * subscriptionsEach, tolerate ? 3000 : 20_000)) && !tolerate) throw new Error(`only part of ${count} subscribers got through`);
  return crowd;
}

export const live = (crowd: Crowd) => crowd.subscribers.filter((s) => !s.closed).length;

export interface FanoutRow {
  server: string;
  transport: string;
  round: number;
  deliveriesPerSecond: number;
  seconds: number;
  complete: boolean;
}

/** One closed-loop burst: `messages` to `subscribers`, timed until the last delivery. */
async function burst(kind: string, protocol: Protocol, config: BenchConfig, round: number, label: string): Promise<FanoutRow> {
  const server = await startServer(kind, { cpuProf: config.cpuProf });
  try {
    const crowd = await crowdOn(server, protocol, config.subscribers);
    // Warm-up burst so JIT compilation is not timed.
    const warm = Math.min(200, config.messages);
    await server.ask({ cmd: 'burst', messages: warm, batch: config.batch, size: config.size });
    await crowd.waitFor(warm * config.subscribers);
    const target = (warm + config.messages) * config.subscribers;
    const started = performance.now();
    await server.ask({ cmd: 'burst', messages: config.messages, batch: config.batch, size: config.size });
    const complete = await crowd.waitFor(target);
    const seconds = (performance.now() - started) / 1000;
    crowd.close();
    const delivered = Math.min(crowd.delivered(), target) - warm * config.subscribers;
    return { server: label, transport: protocol === 'sse' ? 'sse' : 'websocket', round, deliveriesPerSecond: Math.round(delivered / seconds), seconds: Math.round(seconds * 1000) / 1000, complete };
  } finally {
    await server.stop();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const round2 = (value: number) => Math.round(value * 100) / 100;

/** Hub SSE vs raw loop vs better-sse; hub WebSocket vs naive ws loop; alternated per round, ratios per round. */
export async function fanout(config: BenchConfig) {
  const contenders: [string, string, Protocol][] = [
    ['raw-sse', 'raw res.write loop', 'sse'],
    ['hub', 'hub', 'sse'],
    ['better-sse', 'better-sse', 'sse'],
    ['naive-ws', 'naive ws loop', 'plain-ws'],
    ['hub', 'hub', 'hub-ws'],
  ];
  const rows: FanoutRow[] = [];
  for (let round = 0; round < config.rounds; round++) {
    for (const [kind, label, protocol] of contenders) rows.push(await burst(kind, protocol, config, round, label));
  }
  const pick = (label: string, transport: string) => rows.filter((r) => r.server === label && r.transport === transport);
  const ratio = (a: FanoutRow[], b: FanoutRow[]) => round2(median(a.map((row, i) => row.deliveriesPerSecond / b[i]!.deliveriesPerSecond)));
  const hubSse = pick('hub', 'sse');
  const hubWs = pick('hub', 'websocket');
  const raw = pick('raw res.write loop', 'sse');
  return {
    rows,
    hubSseDeliveriesPerSecond: median(hubSse.map((r) => r.deliveriesPerSecond)),
    hubWsDeliveriesPerSecond: median(hubWs.map((r) => r.deliveriesPerSecond)),
    sseVsRaw: ratio(hubSse, raw),
    sseVsBetterSse: ratio(hubSse, pick('better-sse', 'sse')),
    wsVsNaiveWs: ratio(hubWs, pick('naive ws loop', 'websocket')),
    wsVsRawSse: ratio(hubWs, raw),
  };
}

export interface MemoryRow {
  server: string;
  transport: string;
  connections: number;
  rssPerConnectionKb: number;
  /** Live JS objects. */
  heapPerConnectionKb: number;
  /** JS heap pages committed (live objects plus free space the GC keeps). */
  heapCommittedPerConnectionKb: number;
  externalPerConnectionKb: number;
}

const kb = (bytes: number) => Math.round(bytes / 102.4) / 10;

/** Idle connections, one topic each: RSS and heap per connection after GC, counted from the first one on. */
export async function idleMemory(config: BenchConfig, snapshotDir?: string) {
  const rows: MemoryRow[] = [];
  // The last two show where the rest of the RSS goes at 1k: V8's young generation, grown while the
  // connections were set up, is a fixed cost (16-32 MB) that does not scale with connections.
  const young = { NODE_OPTIONS: '--max-semi-space-size=1' };
  const cases: [string, string, Protocol, Record<string, string>?][] = [
    ['hub', 'hub', 'sse'],
    ['hub', 'hub', 'hub-ws'],
    ['raw-sse', 'raw res.write loop', 'sse'],
    ['naive-ws', 'naive ws loop', 'plain-ws'],
    ['hub', 'hub, --max-semi-space-size=1', 'sse', young],
    ['hub', 'hub, --max-semi-space-size=1', 'hub-ws', young],
  ];
  for (const connections of config.idleCounts) {
    for (const [kind, label, protocol, env] of cases) {
      // References and the young-generation rows at the smallest crowd only (10k connections take minutes here).
      if ((env || kind !== 'hub') && connections !== config.idleCounts[0]) continue;
      const server = await startServer(kind, { env });
      try {
        // The first connection loads and compiles the request path; memory is counted after it.
        const first = await crowdOn(server, protocol, 1);
        await server.ask({ cmd: 'mark' });
        const rest = await crowdOn(server, protocol, connections - 1);
        await server.waitForCount(connections);
        await sleep(200);
        const m = await server.ask<{ rssPerConnection: number; heapPerConnection: number; heapTotalPerConnection: number; externalPerConnection: number }>({ cmd: 'memory' });
        if (snapshotDir && kind === 'hub') await server.ask({ cmd: 'snapshot', path: `${snapshotDir}/idle-${protocol}-${connections}.heapsnapshot` });
        rows.push({ server: label, transport: protocol === 'sse' ? 'sse' : 'websocket', connections, rssPerConnectionKb: kb(m.rssPerConnection), heapPerConnectionKb: kb(m.heapPerConnection), heapCommittedPerConnectionKb: kb(m.heapTotalPerConnection), externalPerConnectionKb: kb(m.externalPerConnection) });
        first.close();
        rest.close();
      } finally {
        await server.stop();
      }
    }
  }
  const hub = (transport: string) => rows.filter((r) => r.server === 'hub' && r.transport === transport);
  const at = (transport: string) => Math.max(...hub(transport).map((r) => r.rssPerConnectionKb));
  // The marginal cost of one more connection: the slope of total RSS between the smallest and largest crowd.
  const marginal = (transport: string) => {
    const [small, large] = [hub(transport)[0], hub(transport).at(-1)];
    if (!small || !large || small === large) return null;
    return kb(((large.rssPerConnectionKb * large.connections - small.rssPerConnectionKb * small.connections) * 1024) / (large.connections - small.connections));
  };
  return { rows, sseRssPerConnKb: at('sse'), wsRssPerConnKb: at('websocket'), sseRssMarginalKb: marginal('sse'), wsRssMarginalKb: marginal('websocket') };
}

export interface LatencyRow {
  transport: string;
  broker: string;
  load: string;
  messagesPerSecond: number;
  deliveriesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  lost: number;
}

/** Open-loop publishing at `rate` msg/s to `crowd` through `publisher`; latencies from the scheduled send time. */
export async function openLoop(publisher: ServerProcess, crowd: Crowd, rate: number, seconds: number, config: BenchConfig, row: Omit<LatencyRow, 'messagesPerSecond' | 'deliveriesPerSecond' | 'p50Ms' | 'p99Ms' | 'lost'>): Promise<LatencyRow> {
  const before = crowd.delivered();
  for (const s of crowd.subscribers) s.latencies?.splice(0);
  const { published } = await publisher.ask<{ published: number }>({ cmd: 'rate', rate, seconds, size: config.size });
  const target = before + published * live(crowd);
  await crowd.waitFor(target, 5000);
  const latencies = crowd.latencies();
  return { ...row, messagesPerSecond: Math.round(rate), deliveriesPerSecond: Math.round(rate * live(crowd)), p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), lost: target - crowd.delivered() };
}

/** p50/p99 publish-to-delivery at 50% and 90% of the saturation measured by {@link fanout}. */
export async function latency(config: BenchConfig, saturation: { sse: number; websocket: number }) {
  const rows: LatencyRow[] = [];
  for (const protocol of ['sse', 'hub-ws'] as const) {
    const transport = protocol === 'sse' ? 'sse' : 'websocket';
    const server = await startServer('hub');
    try {
      const crowd = await crowdOn(server, protocol, config.subscribers, { sampleEvery: 10 });
      const perSubscriber = saturation[transport] / config.subscribers;
      // Warm-up (JIT, socket buffers), not reported.
      await openLoop(server, crowd, perSubscriber * 0.5, Math.min(1, config.latencySeconds), config, { transport, broker: 'memory', load: 'warm-up' });
      for (const share of [0.5, 0.9]) rows.push(await openLoop(server, crowd, perSubscriber * share, config.latencySeconds, config, { transport, broker: 'memory', load: `${share * 100}% of saturation` }));
      crowd.close();
    } finally {
      await server.stop();
    }
  }
  return { rows };
}

/** 2x saturation while 10% of the subscribers stop reading: memory, cuts, and the healthy ones' latency and loss. */
export async function overload(config: BenchConfig) {
  const server = await startServer('hub');
  try {
    const n = config.overloadSubscribers;
    const crowd = await crowdOn(server, 'sse', n, { sampleEvery: 5 });
    // Calibrate saturation for this crowd with a closed-loop burst.
    const messages = Math.max(200, Math.round(config.messages / 2));
    const started = performance.now();
    await server.ask({ cmd: 'burst', messages, batch: config.batch, size: config.size });
    await crowd.waitFor(messages * n);
    const saturation = messages / ((performance.now() - started) / 1000);
    const slow = crowd.subscribers.filter((_, i) => i % 10 === 9);
    const pausedAt = performance.now();
    for (const s of slow) s.socket.pause();
    // A paused socket never sees its close, so cuts are read off the hub's subscriber count (healthy
    // subscribers stay), sampled while publishing: seconds since the slow ones stopped reading.
    const cutAt: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      let last = n;
      while (sampling) {
        const { count } = await server.ask<{ count: number }>({ cmd: 'count' });
        for (; last > count; last--) cutAt.push((performance.now() - pausedAt) / 1000);
        await sleep(200);
      }
    })();
    const healthy = crowd.subscribers.filter((_, i) => i % 10 !== 9);
    const base = new Map(healthy.map((s) => [s, s.received]));
    for (const s of healthy) s.latencies?.splice(0);
    await server.ask({ cmd: 'mark' });
    const { published, maxBehindMs } = await server.ask<{ published: number; maxBehindMs: number }>({ cmd: 'rate', rate: 2 * saturation, seconds: config.overloadSeconds, size: config.size });
    const windowEnd = (performance.now() - pausedAt) / 1000;
    // Wait for the healthy subscribers to catch up (or 5 s without progress).
    let progress = Date.now();
    let seen = crowd.delivered();
    while (healthy.some((s) => s.received - base.get(s)! < published) && Date.now() - progress < 5000) {
      await sleep(100);
      if (crowd.delivered() !== seen) (seen = crowd.delivered()), (progress = Date.now());
    }
    const stats = await server.ask<{ peakRss: number; disconnects: Record<string, number> }>({ cmd: 'stats' });
    const lost = healthy.reduce((sum, s) => sum + Math.max(0, published - (s.received - base.get(s)!)), 0);
    const latencies = healthy.flatMap((s) => s.latencies ?? []);
    // Then how long a stopped reader really lasts: the kernel's socket buffers (MBs on loopback) take its
    // bytes first, so go on publishing at the same rate until every slow reader is cut (or a bound).
    const bound = pausedAt + config.overloadSeconds * 6000;
    while (cutAt.length < slow.length && performance.now() < bound) {
      await server.ask({ cmd: 'rate', rate: 2 * saturation, seconds: 1, size: config.size });
    }
    await sleep(300);
    sampling = false;
    await sampler;
    const after = await server.ask<{ disconnects: Record<string, number> }>({ cmd: 'stats' });
    crowd.close();
    return {
      subscribers: n,
      slowSubscribers: slow.length,
      saturationMessagesPerSecond: Math.round(saturation),
      publishedMessagesPerSecond: Math.round(2 * saturation),
      seconds: config.overloadSeconds,
      publisherMaxBehindMs: maxBehindMs,
      peakRssMb: Math.round(stats.peakRss / 1048576),
      slowCut: cutAt.filter((t) => t <= windowEnd).length,
      slowConsumerDisconnects: stats.disconnects.slow_consumer ?? 0,
      slowCutInTotal: cutAt.length,
      slowConsumerDisconnectsInTotal: after.disconnects.slow_consumer ?? 0,
      // Seconds from stopping to read to the first and the last slow reader's cut (null: not all were cut).
      firstSlowCutAfterS: cutAt.length ? Math.round(cutAt[0]! * 10) / 10 : null,
      lastSlowCutAfterS: cutAt.length >= slow.length ? Math.round(cutAt[slow.length - 1]! * 10) / 10 : null,
      healthyLost: lost,
      healthyP50Ms: percentile(latencies, 50),
      healthyP99Ms: percentile(latencies, 99),
    };
  } finally {
    await server.stop();
  }
}
