/**
 * The benchmarks at scale: many topics per connection, and fan-out through Redis and NATS (the rest is in
 * scenarios.ts). Each returns plain rows.
 */
import { startServer } from './load.js';
import { crowdOn, live, openLoop, sleep } from './scenarios.js';
import type { BenchConfig } from './scenarios.js';

/** 10k topics x 10 subscribers (WebSocket, many topics per connection) and 1 subscriber x 1,000 topics. */
export async function manyTopics(config: BenchConfig) {
  const rows: { shape: string; topics: number; subscriptions: number; deliveriesPerSecond: number; heapPerSubscriptionBytes: number; rssPerSubscriptionBytes: number; complete: boolean }[] = [];
  const { connections, topicsPerConnection } = config.manyTopics;
  const shapes = [
    { shape: `${(connections * topicsPerConnection) / 10} topics x 10 subscribers`, connections, per: topicsPerConnection, topics: (connections * topicsPerConnection) / 10, messages: config.manyTopics.messages, fanout: 10 },
    { shape: `1 subscriber x ${config.oneToMany.topics} topics`, connections: 1, per: config.oneToMany.topics, topics: config.oneToMany.topics, messages: config.oneToMany.messages, fanout: 1 },
  ];
  for (const s of shapes) {
    const server = await startServer('hub');
    try {
      const names = Array.from({ length: s.topics }, (_, i) => `t${i}`);
      await server.ask({ cmd: 'mark' });
      const crowd = await crowdOn(server, 'hub-ws', s.connections, { topicsOf: (i) => Array.from({ length: s.per }, (_, j) => names[(i * s.per + j) % s.topics]!) }, s.per);
      await sleep(200);
      const subscriptions = s.connections * s.per;
      const baseline = await server.ask<{ rssPerConnection: number; heapPerConnection: number }>({ cmd: 'memory' });
      const started = performance.now();
      await server.ask({ cmd: 'burst', topics: names, messages: s.messages, batch: Math.max(config.batch, 100), size: config.size });
      const complete = await crowd.waitFor(s.messages * s.fanout);
      const seconds = (performance.now() - started) / 1000;
      crowd.close();
      rows.push({
        shape: s.shape,
        topics: s.topics,
        subscriptions,
        deliveriesPerSecond: Math.round(Math.min(crowd.delivered(), s.messages * s.fanout) / seconds),
        // `memory` divides by subscriptions counted (hub.stats().topics), so these are per subscription.
        heapPerSubscriptionBytes: Math.round(baseline.heapPerConnection),
        rssPerSubscriptionBytes: Math.round(baseline.rssPerConnection),
        complete,
      });
    } finally {
      await server.stop();
    }
  }
  return { rows };
}

/** The same fan-out through Redis and NATS: publisher on one hub process, subscribers on another. */
export async function brokers(config: BenchConfig) {
  const rows: { broker: string; processes: number; subscribers: number; refused: number; deliveriesPerSecond: number; messagesPerSecond: number; p50Ms: number; p99Ms: number; lost: number; complete: boolean }[] = [];
  for (const broker of ['memory', ...config.brokers]) {
    const prefix = `bench${process.pid}x${Date.now().toString(36)}`;
    const subscriberHub = await startServer('hub', { broker, core: 1, env: { BENCH_PREFIX: prefix } });
    const publisherHub = broker === 'memory' ? subscriberHub : await startServer('hub', { broker, core: 0, env: { BENCH_PREFIX: prefix } });
    try {
      // A broker may refuse part of a crowd subscribing at once (reported as `refused`); the rest is measured.
      const crowd = await crowdOn(subscriberHub, 'sse', config.subscribers, { sampleEvery: 10 }, 1, true);
      await sleep(500);
      const subscribers = live(crowd);
      // Warm-up: connections, scripts and consumers are set up by the first publishes.
      await publisherHub.ask({ cmd: 'burst', messages: 20, batch: 20, size: config.size });
      await crowd.waitFor(20 * subscribers);
      const warm = crowd.delivered();
      const messages = config.messages;
      const started = performance.now();
      await publisherHub.ask({ cmd: 'burst', messages, batch: config.batch, size: config.size });
      const complete = await crowd.waitFor(warm + messages * subscribers);
      const seconds = (performance.now() - started) / 1000;
      const saturation = messages / seconds;
      const deliveriesPerSecond = Math.round(Math.min(crowd.delivered() - warm, messages * subscribers) / seconds);
      const lat = await openLoop(publisherHub, crowd, saturation / 2, config.latencySeconds, config, { transport: 'sse', broker, load: '50%' });
      crowd.close();
      rows.push({ broker, processes: broker === 'memory' ? 1 : 2, subscribers, refused: config.subscribers - subscribers, deliveriesPerSecond, messagesPerSecond: lat.messagesPerSecond, p50Ms: lat.p50Ms, p99Ms: lat.p99Ms, lost: lat.lost, complete });
    } finally {
      if (publisherHub !== subscriberHub) await publisherHub.stop();
      await subscriberHub.stop();
    }
  }
  return { rows };
}
