import { createMemoryBroker } from '@qwik-realtime/server';
import { afterEach, describe, expect, test } from 'vitest';
import { startHubServer, transportDrivers } from './helpers/index.js';
import type { DriverConnection, TestHubServer } from './helpers/index.js';

const servers: TestHubServer[] = [];
const connections: DriverConnection[] = [];
afterEach(async () => {
  await Promise.all(connections.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const start = async (historySize = 1000) => {
  const server = await startHubServer({ broker: createMemoryBroker({ historySize }) });
  servers.push(server);
  return server;
};
const track = (connection: DriverConnection) => (connections.push(connection), connection);
const offsets = (c: DriverConnection, topic: string) => c.messages.items.filter((m) => m.topic === topic).map((m) => m.data);

describe.each(transportDrivers)('scenario over $name', (driver) => {
  test('GIVEN several topics WHEN publishing, dropping and resuming from the last position THEN every message arrives once, in order', async () => {
    const server = await start();
    const first = track(await driver.open(server.base, ['s:a', 's:b']));
    await first.subscribed.count(2);
    expect(first.subscribed.items.every((f) => f.recovered)).toBe(true);
    for (const [topic, n] of [['s:a', 1], ['s:b', 1], ['s:a', 2], ['s:a', 3]] as const) await server.hub.publish(topic, n);
    await first.messages.count(4);
    expect(offsets(first, 's:a')).toEqual([1, 2, 3]);
    expect(offsets(first, 's:b')).toEqual([1]);

    await first.close();
    const saved = first.positions();
    for (const [topic, n] of [['s:b', 2], ['s:a', 4], ['s:b', 3]] as const) await server.hub.publish(topic, n);

    const second = track(await driver.open(server.base, ['s:a', 's:b'], saved));
    await second.messages.count(3);
    if (driver.name === 'poll') {
      // A poll resumed from a cursor mentions only topics that could not be recovered.
      expect(second.subscribed.items).toEqual([]);
    } else {
      const byTopic = Object.fromEntries(second.subscribed.items.map((f) => [f.topic, [f.recovered, f.replayed]]));
      expect(byTopic).toEqual({ 's:a': [true, 1], 's:b': [true, 2] });
    }
    await server.hub.publish('s:a', 5);
    await second.messages.count(4);
    expect(offsets(second, 's:a')).toEqual([4, 5]);
    expect(offsets(second, 's:b')).toEqual([2, 3]);
  });

  test('GIVEN a hub restarted on a new broker (new epoch) WHEN resuming THEN recovered:false and the stream continues from the new head', async () => {
    const before = await start();
    const first = track(await driver.open(before.base, ['s:a']));
    await first.subscribed.count(1);
    await before.hub.publish('s:a', 'old');
    await first.messages.count(1);
    await first.close();
    const saved = first.positions();

    const after = await start();
    await after.hub.publish('s:a', 'new-1');
    const second = track(await driver.open(after.base, ['s:a'], saved));
    const subscribed = await second.subscribed.next();
    expect(subscribed).toMatchObject({ topic: 's:a', recovered: false, replayed: 0, position: { offset: 1 } });
    expect(subscribed.position.epoch).not.toBe(saved['s:a']!.epoch);
    await after.hub.publish('s:a', 'new-2');
    await second.messages.count(1);
    expect(offsets(second, 's:a')).toEqual(['new-2']);
  });

  test('GIVEN a position trimmed from history or not reached yet WHEN resuming THEN recovered:false at the head, nothing partial', async () => {
    const server = await start(3);
    const first = track(await driver.open(server.base, ['s:a', 's:b']));
    await first.subscribed.count(2);
    await server.hub.publish('s:a', 1);
    await server.hub.publish('s:b', 1);
    await first.messages.count(2);
    await first.close();
    const saved = first.positions();
    for (let n = 2; n <= 6; n++) await server.hub.publish('s:a', n);
    const ahead = { ...saved, 's:b': { ...saved['s:b']!, offset: 9 } };

    const second = track(await driver.open(server.base, ['s:a', 's:b'], ahead));
    await second.subscribed.count(2);
    const byTopic = Object.fromEntries(second.subscribed.items.map((f) => [f.topic, f]));
    expect(byTopic['s:a']).toMatchObject({ recovered: false, replayed: 0, position: { offset: 6 } });
    expect(byTopic['s:b']).toMatchObject({ recovered: false, replayed: 0, position: { offset: 1 } });
    await server.hub.publish('s:a', 7);
    await second.messages.count(1);
    expect(offsets(second, 's:a')).toEqual([7]);
  });
});
