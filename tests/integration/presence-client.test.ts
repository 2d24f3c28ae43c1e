import { afterEach, describe, expect, test, vi } from 'vitest';
import { joinPresence } from '@qwik-realtime/core';
import type { PresenceHandle, PresenceState, RealtimeClient, TransportName } from '@qwik-realtime/core';
import { fastClient, startClientHub, transportNames } from './client-fixtures.js';
import type { ClientTestHub } from './client-fixtures.js';

let hub: ClientTestHub | undefined;
const clients: RealtimeClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await hub?.close();
  hub = undefined;
});

/** A real client over `name` whose token is the user's name (the hub's principal id). */
const clientOf = (name: TransportName, user: string) => {
  const client = fastClient(name, (hub as ClientTestHub).url, { getToken: () => user });
  clients.push(client);
  return client;
};
const names = (state: PresenceState) => state.members.map((member) => (member.data as { name: string }).name).sort();
const join = (client: RealtimeClient, topic: string, name: string): PresenceHandle<{ name: string }> => {
  return joinPresence(client, topic, { name });
};

describe.each(transportNames)('presence over %s (core client, real hub)', (transport) => {
  test('GIVEN two clients WHEN both join, one changes its data and leaves THEN the other sees the list follow', async () => {
    hub = await startClientHub({ authenticate: ({ token }) => (token ? { id: token } : null), allowQueryToken: true, heartbeatMs: 1000 });
    const ann = join(clientOf(transport, 'ann'), 'room', 'Ann');
    await vi.waitFor(() => expect(ann.state()).toMatchObject({ status: 'joined', members: [{ principal: 'ann', data: { name: 'Ann' } }] }), { timeout: 10_000 });
    expect(ann.state().self).toBe(ann.members()[0]?.id);
    const bob = join(clientOf(transport, 'bob'), 'room', 'Bob');
    await vi.waitFor(() => expect(names(bob.state())).toEqual(['Ann', 'Bob']), { timeout: 10_000 });
    await vi.waitFor(() => expect(names(ann.state())).toEqual(['Ann', 'Bob']), { timeout: 10_000 });
    bob.update({ name: 'Bobby' });
    await vi.waitFor(() => expect(names(ann.state())).toEqual(['Ann', 'Bobby']), { timeout: 10_000 });
    bob.leave();
    expect(bob.state().status).toBe('left');
    await vi.waitFor(() => expect(names(ann.state())).toEqual(['Ann']), { timeout: 10_000 });
  });

  test('GIVEN authorize refuses presence WHEN a client joins THEN its handle fails with forbidden and the topic subscription is untouched', async () => {
    hub = await startClientHub({
      authenticate: ({ token }) => (token ? { id: token } : null),
      allowQueryToken: true,
      heartbeatMs: 1000,
      authorize: (_user, action, topic) => !(action === 'presence' && topic === 'secret'),
    });
    const client = clientOf(transport, 'ann');
    const states: string[] = [];
    const sub = client.subscribe('secret', { onTopicState: (state) => states.push(state.status) });
    const handle = join(client, 'secret', 'Ann');
    await vi.waitFor(() => expect(handle.state()).toMatchObject({ status: 'failed', error: { code: 'forbidden', retry: 'no_retry' } }), { timeout: 10_000 });
    expect(sub.state().status).toBe('live');
    expect(states).not.toContain('failed');
  });

  test('GIVEN a full presence WHEN a client joins THEN it waits with presence_full and joins by itself once there is room', async () => {
    hub = await startClientHub({ authenticate: ({ token }) => (token ? { id: token } : null), allowQueryToken: true, heartbeatMs: 1000, maxPresencePerTopic: 1 });
    const ann = join(clientOf(transport, 'ann'), 'room', 'Ann');
    await vi.waitFor(() => expect(ann.state().status).toBe('joined'), { timeout: 10_000 });
    const bob = join(clientOf(transport, 'bob'), 'room', 'Bob');
    await vi.waitFor(() => expect(bob.state()).toMatchObject({ status: 'rejoining', error: { code: 'presence_full', retry: 'retry_backoff' } }), { timeout: 10_000 });
    ann.leave();
    await vi.waitFor(
      () => {
        expect(bob.state()).toMatchObject({ status: 'joined', error: null });
        expect(names(bob.state())).toEqual(['Bob']);
      },
      { timeout: 15_000 },
    );
  });

  test('GIVEN a joined client WHEN its connection is cut THEN it rejoins by itself and the other sees it back', async () => {
    hub = await startClientHub({ authenticate: ({ token }) => (token ? { id: token } : null), allowQueryToken: true, heartbeatMs: 1000 });
    const ann = join(clientOf(transport, 'ann'), 'room', 'Ann');
    const bob = join(clientOf(transport, 'bob'), 'room', 'Bob');
    await vi.waitFor(() => expect(names(ann.state())).toEqual(['Ann', 'Bob']), { timeout: 10_000 });
    const before = bob.state().self;
    hub.cut();
    await vi.waitFor(
      () => {
        expect(bob.state().status).toBe('joined');
        expect(names(ann.state())).toEqual(['Ann', 'Bob']);
        expect(names(bob.state())).toEqual(['Ann', 'Bob']);
        // Over long-poll the member id is the client's own and stays; a stream rejoins under its new id.
        if (transport !== 'long-poll') expect(bob.state().self).not.toBe(before);
      },
      { timeout: 15_000 },
    );
  });
});
