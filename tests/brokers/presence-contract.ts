/**
 * The presence suite (registered by presence.test.ts per broker): two hub instances on one broker backend,
 * each with its own broker connection, WebSocket clients joining a topic's presence on either. A crashed
 * instance is one whose broker calls all fail from some moment on (its members are never left nor
 * refreshed): the other instance must see them leave once they expire.
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import type { Broker, BrokerPresence } from '@qwik-realtime/server';
import { openWs, startHubServer } from '../integration/helpers/index.js';
import type { TestHubServer, WsClient } from '../integration/helpers/index.js';
import { uniqueNamespace } from './contract.js';
import type { ContractTarget } from './contract.js';

/** A broker whose presence can "crash": every presence call fails afterwards, as a dead process's would. */
function crashable(broker: Broker): { broker: Broker; crash(): void } {
  const presence = broker.presence as BrokerPresence;
  let crashed = false;
  const guard =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      crashed ? Promise.reject(new Error('crashed')) : call(...args);
  const wrapped: BrokerPresence = {
    join: guard(presence.join.bind(presence)),
    refresh: guard(presence.refresh.bind(presence)),
    leave: guard(presence.leave.bind(presence)),
    list: guard(presence.list.bind(presence)),
    watch: guard(presence.watch.bind(presence)),
  };
  return { broker: { ...broker, publish: broker.publish.bind(broker), subscribe: broker.subscribe.bind(broker), history: broker.history.bind(broker), close: broker.close.bind(broker), presence: wrapped }, crash: () => void (crashed = true) };
}

/** Registers the suite for `target`. */
export function presenceSuite(target: ContractTarget): void {
  describe(`presence across two hubs on ${target.name}`, () => {
    const ns = uniqueNamespace();
    const servers: TestHubServer<any>[] = [];
    const brokers: Broker[] = [];
    const clients: WsClient[] = [];
    afterEach(async () => {
      for (const client of clients.splice(0)) client.socket.terminate();
      await Promise.all(servers.splice(0).map((server) => server.close()));
      await Promise.all(brokers.splice(0).map((broker) => broker.close().catch(() => undefined)));
      await target.cleanup(ns);
    });
    const hubs = async (presenceTtlMs = 30_000) => {
      const made = await Promise.all([0, 1].map(async () => crashable(await target.create(ns))));
      brokers.push(...made.map((each) => each.broker));
      const started = await Promise.all(made.map((each) => startHubServer({ broker: each.broker, presenceTtlMs, authenticate: ({ token }) => (token ? { id: token } : null) })));
      servers.push(...started);
      return started.map((server, i) => ({ server, crash: (made[i] as { crash(): void }).crash }));
    };
    const join = async (server: TestHubServer<any>, user: string, topic: string) => {
      const client = await openWs(server.wsUrl, { headers: { authorization: `Bearer ${user}` } });
      clients.push(client);
      const hello = await client.frames.take((f) => f.type === 'hello');
      client.send({ type: 'presence_join', topic, data: { user }, ref: 'j' });
      const sync = await client.frames.take((f) => f.type === 'presence', 10_000);
      return { client, id: hello.connectionId as string, sync };
    };

    test('GIVEN two hubs on one broker WHEN a client joins on each THEN each sees the other member, and its leave', async () => {
      const [a, b] = await hubs();
      const topic = `room-${target.name.replace(/\W/g, '')}`;
      const ann = await join(a!.server, 'ann', topic);
      expect(ann.sync.members.map((m: any) => m.principal)).toEqual(['ann']);
      const bob = await join(b!.server, 'bob', topic);
      expect(bob.sync.members.map((m: any) => m.principal).sort()).toEqual(['ann', 'bob']);
      expect(await ann.client.frames.take((f) => f.type === 'presence', 10_000)).toMatchObject({ kind: 'join', members: [{ id: bob.id, principal: 'bob', data: { user: 'bob' } }] });
      bob.client.send({ type: 'presence_leave', topic });
      expect(await ann.client.frames.take((f) => f.type === 'presence', 10_000)).toMatchObject({ kind: 'leave', members: [{ id: bob.id }] });
    });

    test('GIVEN a member on a hub WHEN that hub crashes (stops refreshing, never leaves) THEN the other hub sees it leave after the TTL', async () => {
      // Refreshed every second; a refresh would have to stall for 3 s for a live member to expire.
      const [a, b] = await hubs(3000);
      const topic = 'crash';
      const ann = await join(a!.server, 'ann', topic);
      const bob = await join(b!.server, 'bob', topic);
      await ann.client.frames.take((f) => f.type === 'presence' && f.kind === 'join', 10_000);
      // Still there after several refresh periods: refreshing works.
      await new Promise((resolve) => setTimeout(resolve, 4000));
      expect(bob.client.frames.items.filter((f: any) => f.type === 'presence' && f.kind === 'leave')).toEqual([]);
      b!.crash();
      bob.client.socket.terminate();
      await vi.waitFor(() => expect(ann.client.frames.items.some((f: any) => f.type === 'presence' && f.kind === 'leave' && f.members[0]?.id === bob.id)).toBe(true), {
        timeout: 15_000,
        interval: 100,
      });
    });
  });
}
