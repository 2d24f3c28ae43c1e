/**
 * The many-instances suite (registered by many-instances.test.ts for Redis and NATS, by rabbitmq.test.ts
 * for RabbitMQ). Several hub instances (createHub + createNodeHandler + attachHub on port 0) sharing one Redis or NATS
 * broker namespace, each with its own broker connection as separate processes would have. Clients are
 * raw: the `eventsource` package, `ws`, and fetch long-polls.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Broker } from '@qwik-realtime/server';
import { pollDriver, publishHttp, startHubServer, wsDriver } from '../integration/helpers/index.js';
import type { TestHubServer, TransportDriver } from '../integration/helpers/index.js';
import { uniqueNamespace } from './contract.js';
import { eventSourceDriver } from './es-driver.js';
import type { ContractTarget } from './contract.js';

/** One backend of the suite: how to make a broker on a namespace, and its contract target (cleanup, loss). */
export interface InstancesBackend {
  name: string;
  make: (ns: string) => Broker;
  target: ContractTarget;
}
const drivers: TransportDriver[] = [eventSourceDriver, wsDriver, pollDriver];
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Registers the suite for `backend`. */
export function manyInstancesSuite({ name, make, target }: InstancesBackend): void {
describe(`three hub instances sharing ${name}`, () => {
  const ns = uniqueNamespace();
  const brokers: Broker[] = [];
  let servers: TestHubServer[] = [];

  beforeAll(async () => {
    servers = await Promise.all(
      [0, 1, 2].map(() => {
        const broker = make(ns);
        brokers.push(broker);
        return startHubServer({ broker });
      }),
    );
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
    await Promise.all(brokers.map((broker) => broker.close()));
    await target.cleanup(ns);
    await target.dispose?.();
  });

  const publish = async (server: TestHubServer, topic: string, i: number) => {
    const answer = await publishHttp(server.base, { topic, data: { i }, id: `${topic}-${i}` });
    expect(answer.status).toBe(200);
    return answer.body as { offset: number; duplicate: boolean };
  };

  test.each(drivers)('GIVEN a $name client on A WHEN messages are published on B and C THEN it gets them all in order', async (driver) => {
    const [a, b, c] = servers as [TestHubServer, TestHubServer, TestHubServer];
    const topic = `cross:${driver.name}`;
    const client = await driver.open(a.base, [topic]);
    try {
      await client.subscribed.count(1);
      for (const i of range(1, 6)) await publish(i % 2 ? b : c, topic, i);
      const got = await client.messages.count(6);
      expect(got.map((m) => [m.offset, (m.data as { i: number }).i])).toEqual(range(1, 6).map((i) => [i, i]));
    } finally {
      await client.close();
    }
  });

  test.each(drivers)('GIVEN a $name client that read part of a topic on A WHEN it reconnects to B THEN it resumes with no gap and no duplicate', async (driver) => {
    const [a, b, c] = servers as [TestHubServer, TestHubServer, TestHubServer];
    const topic = `move:${driver.name}`;
    const first = await driver.open(a.base, [topic]);
    await first.subscribed.count(1);
    for (const i of range(1, 4)) await publish(c, topic, i);
    await first.messages.count(4);
    const positions = first.positions();
    await first.close();

    for (const i of range(5, 8)) await publish(c, topic, i);
    const duplicate = await publish(b, topic, 8);
    expect(duplicate.duplicate).toBe(true);

    const moved = await driver.open(b.base, [topic], positions);
    try {
      // Long-poll reports a resumed topic only when it could not be recovered; the others confirm it.
      if (driver.name === 'poll') expect(moved.subscribed.items).toEqual([]);
      else expect((await moved.subscribed.count(1))[0]?.recovered).toBe(true);
      for (const i of range(9, 10)) await publish(a, topic, i);
      const got = await moved.messages.count(6);
      const seen = [...first.messages.items, ...got];
      expect(seen.map((m) => m.offset)).toEqual(range(1, 10));
      expect(seen.map((m) => (m.data as { i: number }).i)).toEqual(range(1, 10));
      expect(new Set(seen.map((m) => m.id)).size).toBe(10);
    } finally {
      await moved.close();
    }
  });

  test.each(drivers)('GIVEN a $name client whose topic lost its history WHEN it resumes on another instance THEN it is told recovered:false and goes on in the new epoch', async (driver) => {
    const [a, b, c] = servers as [TestHubServer, TestHubServer, TestHubServer];
    const topic = `lost:${driver.name}`;
    const first = await driver.open(a.base, [topic]);
    await first.subscribed.count(1);
    for (const i of range(1, 2)) await publish(c, topic, i);
    const [old] = await first.messages.count(2);
    const positions = first.positions();
    await first.close();

    await target.loseHistory(ns, topic, brokers[0] as Broker);
    const moved = await driver.open(b.base, [topic], positions);
    try {
      const [subscribed] = await moved.subscribed.count(1);
      expect(subscribed?.recovered).toBe(false);
      expect(subscribed?.position.epoch).not.toBe(old?.epoch);
      await publish(c, topic, 3);
      const [next] = await moved.messages.count(1);
      expect([next?.offset, next?.data]).toEqual([1, { i: 3 }]);
      expect(next?.epoch).not.toBe(old?.epoch);
      // Long-poll holds no broker subscription between polls, and a read stores nothing, so the head it was
      // given for the emptied topic only resumes into the run that starts afterwards (same answer, new epoch).
      if (driver.name !== 'poll') expect(next?.epoch).toBe(subscribed?.position.epoch);
    } finally {
      await moved.close();
    }
  });
});
}
