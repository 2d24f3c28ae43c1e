/**
 * A plain EventSource (the WHATWG-compliant `eventsource` package, no library code) behind a switchable
 * proxy, as behind a load balancer: its instance goes away mid-stream, the EventSource reconnects by itself
 * with the Last-Event-ID header, lands on another instance sharing the broker, and resumes with no gap and no
 * duplicate.
 */
import { createServer, request } from 'node:http';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Envelope, SubscribedFrame } from '@qwik-realtime/core/protocol';
import type { Broker } from '@qwik-realtime/server';
import { createNatsBroker } from '@qwik-realtime/server/nats';
import { createRedisBroker } from '@qwik-realtime/server/redis';
import { createCollector, publishHttp, startHubServer } from '../integration/helpers/index.js';
import type { TestHubServer } from '../integration/helpers/index.js';
import { uniqueNamespace } from './contract.js';
import { NATS_URL, REDIS_URL, natsTarget, redisTarget } from './targets.js';

/** Forwards HTTP to the current origin; `switchTo` cuts open streams, as a failing instance would. */
async function startSwitchProxy(initial: string) {
  let origin = initial;
  const open = new Set<ServerResponse>();
  const requests: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    requests.push(req.headers);
    const upstream = request(new URL(req.url ?? '/', origin), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    open.add(res);
    res.on('close', () => {
      open.delete(res);
      upstream.destroy();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    switchTo(next: string) {
      origin = next;
      for (const res of open) res.destroy();
    },
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

const backends = [
  { name: 'redis', make: (ns: string): Broker => createRedisBroker({ url: REDIS_URL, prefix: `${ns}:` }), target: redisTarget() },
  { name: 'nats', make: (ns: string): Broker => createNatsBroker({ servers: NATS_URL, prefix: ns, storage: 'memory' }), target: natsTarget() },
];

describe.each(backends)('EventSource failing over between instances on $name', ({ make, target }) => {
  const ns = uniqueNamespace();
  const brokers: Broker[] = [];
  let servers: TestHubServer[] = [];

  beforeAll(async () => {
    servers = await Promise.all([0, 1].map(() => startHubServer({ broker: brokers[brokers.push(make(ns)) - 1] })));
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
    await Promise.all(brokers.map((broker) => broker.close()));
    await target.cleanup(ns);
    await target.dispose?.();
  });

  test('GIVEN an EventSource on instance A WHEN A drops it and the proxy sends it to B THEN it resumes by Last-Event-ID with no gap and no duplicate', async () => {
    const [a, b] = servers as [TestHubServer, TestHubServer];
    const proxy = await startSwitchProxy(a.origin);
    const messages = createCollector<Envelope>('messages');
    const subscribed = createCollector<SubscribedFrame>('subscribed');
    const source = new EventSource(`${proxy.url}${a.hub.options.path}/sse?topic=failover`);
    source.addEventListener('subscribed', (event) => subscribed.push(JSON.parse(event.data)));
    source.onmessage = (event) => messages.push(JSON.parse(event.data));
    const publish = async (server: TestHubServer, i: number) =>
      expect((await publishHttp(server.base, { topic: 'failover', data: { i }, id: `f-${i}` })).status).toBe(200);
    try {
      await subscribed.count(1);
      for (const i of [1, 2, 3]) await publish(b, i);
      await messages.count(3);

      proxy.switchTo(b.origin);
      for (const i of [4, 5, 6]) await publish(a, i);
      const [, again] = await subscribed.count(2, 10_000);
      await publish(a, 7);
      const got = await messages.count(7, 10_000);

      expect(again?.recovered).toBe(true);
      expect(proxy.requests.length).toBeGreaterThanOrEqual(2);
      expect(proxy.requests[0]?.['last-event-id']).toBeUndefined();
      expect(proxy.requests.at(-1)?.['last-event-id']).toMatch(/failover=3$/);
      expect(got.map((m) => m.offset)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(got.map((m) => (m.data as { i: number }).i)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    } finally {
      source.close();
      await proxy.close();
    }
  });
});
