import { afterEach, describe, expect, test } from 'vitest';
import { openWs, startHubServer } from './helpers/index.js';
import type { TestHubServer, WsClient } from './helpers/index.js';

let server: TestHubServer<any>;
const clients: WsClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await server?.close();
});
const connect = async (token?: string) => {
  const client = await openWs(server.wsUrl, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  clients.push(client);
  const hello = await client.frames.take((f) => f.type === 'hello');
  return Object.assign(client, { id: hello.connectionId as string });
};
const authenticate = ({ token }: { token?: string }) => (token ? { id: token } : null);

describe('presence over WebSocket', () => {
  test('GIVEN two connections WHEN they join, change data and leave THEN each sees the member list and the changes', async () => {
    server = await startHubServer({ authenticate });
    const ann = await connect('ann');
    const bob = await connect('bob');
    ann.send({ type: 'presence_join', topic: 'room', data: { name: 'Ann' }, ref: 'j1' });
    const annSync = await ann.frames.take((f) => f.type === 'presence');
    expect(annSync).toMatchObject({ topic: 'room', kind: 'sync', ref: 'j1', members: [{ id: ann.id, principal: 'ann', data: { name: 'Ann' } }] });
    bob.send({ type: 'presence_join', topic: 'room', data: { name: 'Bob' }, ref: 'j2' });
    const bobSync = await bob.frames.take((f) => f.type === 'presence');
    expect(bobSync.kind).toBe('sync');
    expect(bobSync.members.map((m: any) => m.principal).sort()).toEqual(['ann', 'bob']);
    expect(await ann.frames.take((f) => f.type === 'presence')).toMatchObject({ kind: 'join', members: [{ id: bob.id, principal: 'bob', data: { name: 'Bob' } }] });
    bob.send({ type: 'presence_join', topic: 'room', data: { name: 'Bobby' } });
    expect(await ann.frames.take((f) => f.type === 'presence')).toMatchObject({ kind: 'join', members: [{ id: bob.id, data: { name: 'Bobby' } }] });
    bob.send({ type: 'presence_leave', topic: 'room' });
    expect(await ann.frames.take((f) => f.type === 'presence')).toMatchObject({ kind: 'leave', members: [{ id: bob.id }] });
  });

  test('GIVEN a member WHEN its connection closes THEN the others see it leave', async () => {
    server = await startHubServer({ authenticate });
    const ann = await connect('ann');
    const bob = await connect('bob');
    ann.send({ type: 'presence_join', topic: 'room', ref: 'j1' });
    await ann.frames.take((f) => f.type === 'presence');
    bob.send({ type: 'presence_join', topic: 'room', ref: 'j2' });
    await bob.frames.take((f) => f.type === 'presence');
    await ann.frames.take((f) => f.type === 'presence' && f.kind === 'join');
    bob.socket.terminate();
    expect(await ann.frames.take((f) => f.type === 'presence')).toMatchObject({ kind: 'leave', members: [{ id: bob.id, principal: 'bob', data: null }] });
  });

  test('GIVEN limits and authorize WHEN a join breaks them THEN a typed error frame answers it with its ref', async () => {
    server = await startHubServer({
      authenticate,
      maxPresencePerTopic: 1,
      maxPresenceDataBytes: 16,
      authorize: (_user: any, action: string, topic: string) => !(action === 'presence' && topic === 'secret'),
    });
    const ann = await connect('ann');
    const bob = await connect('bob');
    ann.send({ type: 'presence_join', topic: 'room', ref: 'a' });
    await ann.frames.take((f) => f.type === 'presence');
    bob.send({ type: 'presence_join', topic: 'room', ref: 'full' });
    expect(await bob.frames.take((f) => f.type === 'error')).toMatchObject({ code: 'presence_full', topic: 'room', ref: 'full' });
    bob.send({ type: 'presence_join', topic: 'other', data: 'x'.repeat(40), ref: 'big' });
    expect(await bob.frames.take((f) => f.type === 'error')).toMatchObject({ code: 'message_too_large', ref: 'big' });
    bob.send({ type: 'presence_join', topic: 'secret', ref: 'no' });
    expect(await bob.frames.take((f) => f.type === 'error')).toMatchObject({ code: 'forbidden', topic: 'secret', ref: 'no' });
    bob.send({ type: 'presence_join', topic: 'bad topic', ref: 'inv' });
    expect(await bob.frames.take((f) => f.type === 'error')).toMatchObject({ code: 'invalid_topic', ref: 'inv' });
    // Leaving frees the slot.
    ann.send({ type: 'presence_leave', topic: 'room' });
    bob.send({ type: 'presence_join', topic: 'room', ref: 'again' });
    expect(await bob.frames.take((f) => f.type === 'presence' || f.type === 'error')).toMatchObject({ type: 'presence', kind: 'sync', ref: 'again' });
  });

  test('GIVEN a member WHEN a re-auth makes it lose presence on the topic THEN it leaves, gets forbidden with its join ref, and the others see the leave', async () => {
    server = await startHubServer({ authenticate, authorize: (user: any, action: string) => !(action === 'presence' && user.id === 'banned') });
    const ann = await connect('ann');
    const bob = await connect('bob');
    ann.send({ type: 'presence_join', topic: 'room', ref: 'presence:a' });
    await ann.frames.take((f) => f.type === 'presence');
    bob.send({ type: 'presence_join', topic: 'room', ref: 'presence:b' });
    await bob.frames.take((f) => f.type === 'presence');
    await ann.frames.take((f) => f.type === 'presence' && f.kind === 'join');
    bob.send({ type: 'auth', token: 'banned' });
    expect(await bob.frames.take((f) => f.type === 'error')).toMatchObject({ code: 'forbidden', topic: 'room', ref: 'presence:b' });
    expect(await ann.frames.take((f) => f.type === 'presence')).toMatchObject({ kind: 'leave', members: [{ id: bob.id }] });
  });
});
