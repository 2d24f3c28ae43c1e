/**
 * The memory broker cannot survive a restart (docs/operations.md, Graceful shutdown): after a graceful drain
 * and a new process on the same port, a resuming client must be told `recovered: false` in the new epoch,
 * never resume silently past what it missed.
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { RealtimeClient, SubscriptionEvent } from '@qwik-realtime/core';
import type { Envelope } from '@qwik-realtime/core/protocol';
import { fastClient, startClientHub, transportNames, until } from './client-fixtures.js';
import type { ClientTestHub } from './client-fixtures.js';

let hub: ClientTestHub | undefined;
let client: RealtimeClient | undefined;
afterEach(async () => {
  client?.close();
  await hub?.close();
  hub = client = undefined;
});

describe.each(transportNames)('GIVEN a %s client of a hub on the memory broker', (name) => {
  test('WHEN the hub is drained with close({ drainMs }) and a new one takes the port THEN the client is told recovered:false in the new epoch and goes on from there', async () => {
    hub = await startClientHub({ heartbeatMs: 2000 });
    client = fastClient(name, hub.url);
    const messages: Envelope[] = [];
    const events: SubscriptionEvent[] = [];
    client.subscribe('t', { onMessage: (m) => messages.push(m), onSubscribed: (e) => events.push(e) });
    await until(() => events.length === 1, 'subscribed');
    for (const i of [1, 2, 3]) await hub.hub.publish('t', i);
    await until(() => messages.length === 3, 'first messages');
    const before = messages[2]!;

    await hub.hub.close({ drainMs: 200 });
    await hub.restart();
    // Published before the client is back: the new process cannot replay it, so the client must be told.
    await hub.hub.publish('t', 'missed');
    await until(() => events.length === 2, 'resubscribed');
    expect(events[1]).toMatchObject({ recovered: false, resumed: true });
    expect(events[1]!.position.epoch).not.toBe(before.epoch);
    await hub.hub.publish('t', 'after');
    await until(() => messages.some((m) => m.data === 'after'), 'message of the new epoch');
    expect(messages.slice(0, 3).map((m) => m.data)).toEqual([1, 2, 3]);
    expect(messages.at(-1)).toMatchObject({ data: 'after', epoch: events[1]!.position.epoch });
  });
});
