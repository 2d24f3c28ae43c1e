/**
 * Per-topic state and recovery of the core client against the real hub, on every transport: a retryable
 * topic failure (a broker `history()` that fails once) resubscribes that topic since its last position; a
 * `no_retry` one (forbidden) leaves it `failed`; topics named after `Object.prototype` keys work end to end;
 * re-subscribing a topic with a smaller `history` than a neighbour's does not lose messages to dedup.
 */
import { afterEach, describe, expect, test } from 'vitest';

import type { BaseClientOptions, RealtimeClient, TopicState, TopicStatus, TransportName } from '@qwik-realtime/core';
import { RealtimeError, createMemoryBroker } from '@qwik-realtime/server';
import type { Broker } from '@qwik-realtime/server';
import { fastClient, startClientHub, transportNames, until } from './client-fixtures.js';
import type { ClientTestHub } from './client-fixtures.js';

let hub: ClientTestHub | undefined;
let client: RealtimeClient | undefined;
afterEach(async () => {
  client?.close();
  client = undefined;
  await hub?.close();
  hub = undefined;
});

function connect(name: TransportName, url: string, extra: Partial<BaseClientOptions> = {}): RealtimeClient {
  client = fastClient(name, url, extra);
  return client;
}

/** A memory broker whose `history()` fails (retryably) for `topic` while `failures` lasts. */
function brokerFailingHistory(topic: string, failures: number): Broker {
  const inner = createMemoryBroker();
  let left = failures;
  return {
    publish: (name, message) => inner.publish(name, message),
    subscribe: (name, listener) => inner.subscribe(name, listener),
    async history(name, query) {
      if (name === topic && left > 0) {
        left--;
        throw new RealtimeError('broker_unavailable', 'history read failed (test)', name);
      }
      return inner.history(name, query);
    },
    close: () => inner.close(),
  };
}

describe.each(transportNames)('topic state over %s', (name) => {
  test('GIVEN history() fails once for a topic WHEN subscribing THEN the topic is resubscribed with backoff and goes live', async () => {
    hub = await startClientHub({ heartbeatMs: 2000, broker: brokerFailingHistory('t', 1) });
    await hub.hub.publish('t', 1);
    const c = connect(name, hub.url);
    const seen: number[] = [];
    const states: TopicState[] = [];
    const sub = c.subscribe<number>('t', { history: 1, onMessage: (m) => seen.push(m.data), onTopicState: (s) => states.push(s) });
    expect(sub.state()).toMatchObject({ topic: 't', status: 'subscribing', error: null });
    await until(() => sub.state().status === 'live' && seen.length === 1, 'topic live with its history');
    expect(states.some((s) => s.status === 'resubscribing' && s.error?.code === 'broker_unavailable')).toBe(true);
    expect(states.at(-1)).toMatchObject({ status: 'live', error: null, recovered: true, nextRetryAt: null });
    await hub.hub.publish('t', 2);
    await until(() => seen.length === 2, 'live message after the retry');
    expect(seen).toEqual([1, 2]);
  });

  test('GIVEN a topic went live WHEN the connection drops THEN it is resubscribing, then live again from its position', async () => {
    hub = await startClientHub({ heartbeatMs: 2000 });
    const c = connect(name, hub.url);
    const seen: number[] = [];
    const statuses: TopicStatus[] = [];
    const states: TopicState[] = [];
    const sub = c.subscribe<number>('t', {
      onMessage: (m) => seen.push(m.data),
      onTopicState(s) {
        states.push(s);
        // One entry per status change (the retry time and error of a status may be filled in later).
        if (statuses.at(-1) !== s.status) statuses.push(s.status);
      },
    });
    await until(() => sub.state().status === 'live', 'live');
    await hub.hub.publish('t', 1);
    await until(() => seen.length === 1, 'first message');
    hub.cut();
    await hub.hub.publish('t', 2);
    await until(() => seen.length === 2 && sub.state().status === 'live', 'live again');
    expect(statuses).toEqual(['live', 'resubscribing', 'live']);
    // While waiting for the connection, the topic shows its reconnect time and the reason.
    expect(states.some((s) => s.status === 'resubscribing' && s.nextRetryAt !== null && s.error !== null)).toBe(true);
    expect(seen).toEqual([1, 2]);
  });

  test('GIVEN a forbidden topic THEN its state is failed with the error and the other topics stay live', async () => {
    hub = await startClientHub({ heartbeatMs: 2000, authorize: (_principal, _action, topic) => topic !== 'secret' });
    const c = connect(name, hub.url);
    const secret = c.subscribe('secret', {});
    const open = c.subscribe('open', {});
    await until(() => secret.state().status === 'failed' && open.state().status === 'live', 'failed and live');
    expect(secret.state()).toMatchObject({ topic: 'secret', status: 'failed', error: { code: 'forbidden', retry: 'no_retry', topic: 'secret' } });
    expect(c.getState().status).toBe('open');
  });

  test('GIVEN topics named after Object.prototype keys THEN history, live messages and resume work for each', async () => {
    hub = await startClientHub({ heartbeatMs: 2000 });
    const names = ['constructor', '__proto__', 'toString'];
    for (const topic of names) for (let i = 1; i <= 3; i++) await hub.hub.publish(topic, i);
    const c = connect(name, hub.url);
    const seen = new Map<string, number[]>(names.map((topic) => [topic, []]));
    const subs = names.map((topic) => c.subscribe<number>(topic, { history: 2, onMessage: (m) => seen.get(topic)!.push(m.data) }));
    await until(() => names.every((t) => seen.get(t)!.length === 2), 'history of each');
    hub.cut();
    for (const topic of names) await hub.hub.publish(topic, 4);
    await until(() => names.every((t) => seen.get(t)!.length === 3), 'resumed after the cut');
    for (const topic of names) await hub.hub.publish(topic, 5);
    await until(() => names.every((t) => seen.get(t)!.length === 4), 'live');
    for (const topic of names) expect([topic, seen.get(topic)]).toEqual([topic, [2, 3, 4, 5]]);
    for (const sub of subs) expect(sub.position()).toMatchObject({ offset: 5 });
  });

  test('GIVEN a topic seen before WHEN re-subscribed with a smaller history than a neighbour THEN its newest messages are not dropped', async () => {
    hub = await startClientHub({ heartbeatMs: 2000 });
    for (let i = 1; i <= 5; i++) await hub.hub.publish('b', i);
    for (let i = 1; i <= 5; i++) await hub.hub.publish('a', i);
    const c = connect(name, hub.url);
    const first: number[] = [];
    const b1 = c.subscribe<number>('b', { history: 2, onMessage: (m) => first.push(m.data) });
    await until(() => first.length === 2, 'first history of b');
    b1.unsubscribe();
    await hub.hub.publish('b', 6);
    await hub.hub.publish('b', 7);
    // HTTP transports ask one `history` for all topics of a request (the largest): b is replayed 5 and
    // the client drops the excess 3 by their place in the replay (3, 4, 5 here; 4 and 5 it saw before).
    const a: number[] = [];
    const b: number[] = [];
    c.subscribe<number>('a', { history: 5, onMessage: (m) => a.push(m.data) });
    c.subscribe<number>('b', { history: 2, onMessage: (m) => b.push(m.data) });
    await until(() => a.length === 5 && b.length === 2, 'histories of a and b');
    expect(first).toEqual([4, 5]);
    expect(a).toEqual([1, 2, 3, 4, 5]);
    expect(b).toEqual([6, 7]);
  });
});
