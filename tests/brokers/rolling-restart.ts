/**
 * The rolling-restart suite (issue 14, "Metrics and shutdown"): two hub processes (rolling-hub.ts) behind a
 * round-robin TCP proxy, real core clients on every transport through the proxy, a steady publisher, and
 * each instance drained (SIGTERM) and started again on a new port, one after the other. Every subscriber
 * must get every message exactly once, in offset order, without `recovered: false`.
 *
 * The publisher is a hub in the test process publishing server-side into the broker (`hub.publish`, as an
 * app's own server code would), so what is measured is the subscribers' path through the restarts; client
 * publishes during a drain are retried with their idempotency id (client tests cover that).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import type { ConnectionState, Envelope, RealtimeClient, Subscription, TransportName } from '@qwik-realtime/core';
import { createHub } from '@qwik-realtime/server';
import { fastClient, until } from '../integration/client-fixtures.js';
import { startRoundRobinProxy } from '../integration/helpers/round-robin-proxy.js';
import type { RoundRobinProxy } from '../integration/helpers/round-robin-proxy.js';
import { uniqueNamespace } from './contract.js';
import { rollingBroker, rollingTarget } from './rolling-backends.js';
import type { RollingBrokerName } from './rolling-backends.js';
import { createPacedPublisher } from './rolling-publisher.js';
import { summarize } from './rolling-report.js';
import type { Subscriber } from './rolling-report.js';

const fixture = fileURLToPath(new URL('./rolling-hub.ts', import.meta.url));
const TOPICS = ['roll:0', 'roll:1', 'roll:2', 'roll:3'];
const TRANSPORTS: TransportName[] = ['websocket', 'fetch-sse', 'sse', 'long-poll'];
const PER_TRANSPORT = 3;
const RATE = 1000;
const DRAIN_MS = 1000;
const STEADY_MS = 2000;
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Instance {
  port: number;
  child: ChildProcess;
  exited: Promise<number | null>;
}

async function startInstance(broker: RollingBrokerName, ns: string): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, broker, ns, String(DRAIN_MS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${broker} hub did not listen within 60 s`)), 60_000);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /listening (\d+)/.exec(out);
      if (match) (clearTimeout(timer), resolve(Number(match[1])));
    });
    void exited.then((code) => (clearTimeout(timer), reject(new Error(`${broker} hub exited with ${code} before listening`))));
  });
  return { port, child, exited };
}

function subscriber(transport: TransportName, url: string): Subscriber {
  const client: RealtimeClient = fastClient(transport, url, { heartbeatGraceMs: 10_000, connectTimeoutMs: 20_000 });
  const received = new Map<string, string[]>(TOPICS.map((topic) => [topic, []]));
  const unrecovered: string[] = [];
  const reconnects: number[] = [];
  const subs: Subscription[] = [];
  let droppedAt: number | undefined;
  const live = () => client.getState().status === 'open' && subs.length === TOPICS.length && subs.every((sub) => sub.state().status === 'live');
  // Reconnect time: from the connection leaving `open` to every topic live again on the new one.
  const check = () => {
    if (droppedAt !== undefined && live()) {
      reconnects.push(Date.now() - droppedAt);
      droppedAt = undefined;
    }
  };
  client.onState((state: ConnectionState) => {
    if (state.status !== 'open' && droppedAt === undefined && subs.length) droppedAt = Date.now();
    check();
  });
  for (const topic of TOPICS) {
    subs.push(
      client.subscribe(topic, {
        onMessage: (message: Envelope) => received.get(topic)!.push(message.id),
        onSubscribed: (event) => void (event.recovered || unrecovered.push(topic)),
        onTopicState: check,
      }),
    );
  }
  return { name: transport, client, received, unrecovered, reconnects, live };
}

/** Registers the suite for the given brokers. */
export function rollingRestartSuite(brokers: RollingBrokerName[]): void {
  describe('rolling restart of two hub processes behind a round-robin proxy', () => {
    const cleanups: (() => Promise<unknown>)[] = [];
    afterAll(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    });

    test.each(brokers)('GIVEN %s, 1,000 msg/s and clients on every transport WHEN A then B are drained and restarted THEN every subscriber gets every message once, in order, never recovered:false', async (brokerName) => {
      const ns = uniqueNamespace();
      const target = rollingTarget(brokerName);
      cleanups.push(async () => (await target.cleanup(ns), await target.dispose?.()));
      let instances = await Promise.all([startInstance(brokerName, ns), startInstance(brokerName, ns)]);
      cleanups.push(async () => instances.forEach((instance) => instance.child.kill('SIGKILL')));
      const proxy: RoundRobinProxy = await startRoundRobinProxy(instances.map((instance) => instance.port));
      cleanups.push(() => proxy.close());
      const url = `http://127.0.0.1:${proxy.port}/realtime`;
      const subscribers = TRANSPORTS.flatMap((transport) => Array.from({ length: PER_TRANSPORT }, () => subscriber(transport, url)));
      cleanups.push(async () => subscribers.forEach((s) => s.client.close()));
      const allLive = (what: string) => until(() => subscribers.every((s) => s.live()), what, 60_000);
      await allLive('every client live before publishing');

      const broker = await rollingBroker(brokerName, ns);
      const publisherHub = createHub({ broker });
      cleanups.push(async () => (await publisherHub.close(), await broker.close()));
      const publisher = createPacedPublisher(publisherHub, TOPICS, RATE);
      const exits: (number | null)[] = [];
      const restart = async (index: 0 | 1) => {
        const old = instances[index]!;
        old.child.kill('SIGTERM');
        exits.push(await old.exited);
        const fresh = await startInstance(brokerName, ns);
        instances = index === 0 ? [fresh, instances[1]!] : [instances[0]!, fresh];
        proxy.setBackends(instances.map((instance) => instance.port));
        await allLive(`every client live after restarting instance ${index ? 'B' : 'A'}`);
      };
      await delay(STEADY_MS);
      await restart(0);
      await delay(STEADY_MS);
      await restart(1);
      await delay(STEADY_MS);
      const published = await publisher.stop();
      const total = [...published.values()].reduce((sum, ids) => sum + ids.length, 0);
      const complete = () => subscribers.every((s) => TOPICS.every((topic) => s.received.get(topic)!.length >= published.get(topic)!.length));
      await until(complete, 'every message delivered', 60_000).catch(() => undefined);

      const report = summarize(brokerName, published, subscribers, publisher.elapsedMs());
      console.log(report.text);
      expect(exits, 'drained instances exit 0').toEqual([0, 0]);
      expect(total).toBeGreaterThan(0);
      expect(report.failures, report.text).toEqual([]);
    }, 180_000);
  });
}
