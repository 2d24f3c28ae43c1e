/**
 * The broker contract (packages/server/src/broker.ts) as one suite, run against every implementation by
 * contract.test.ts. A new broker joins by providing a {@link ContractTarget}; nothing here knows Redis or
 * NATS. Every namespace is random per run, so parallel runs and other apps on the same servers never meet.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, test } from 'vitest';
import type { Envelope } from '@qwik-realtime/core/protocol';
import { listen, uniqueNamespace } from './contract-kit.js';
import type { ContractTarget, TargetOptions } from './contract-kit.js';
import type { Broker } from '@qwik-realtime/server';

export { listen, uniqueNamespace } from './contract-kit.js';
export type { ContractTarget, TargetOptions } from './contract-kit.js';

let counter = 0;
const msg = (data: unknown, id = `m${++counter}-${randomBytes(3).toString('hex')}`) => ({ id, data, timestamp: Date.now() });
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Registers the contract suite for `target`. */
export function brokerContract(target: ContractTarget): void {
  describe(`broker contract: ${target.name}`, () => {
    afterAll(() => target.dispose?.());
    const withBroker = async (fn: (broker: Broker, ns: string) => Promise<void>, options?: TargetOptions) => {
      const ns = uniqueNamespace();
      const broker = await target.create(ns, options);
      try {
        await fn(broker, ns);
      } finally {
        await broker.close();
        await target.cleanup(ns);
      }
    };

    test('GIVEN a subscriber WHEN messages are published THEN it gets them in order with offsets 1, 2, 3 of one epoch', () =>
      withBroker(async (broker) => {
        const live = await listen(broker, 'chat:room-1');
        const acks = [];
        for (const n of [1, 2, 3]) acks.push(await broker.publish('chat:room-1', msg({ n })));
        await live.waitFor(3);
        expect(acks.map((a) => [a.message.offset, a.duplicate])).toEqual([[1, false], [2, false], [3, false]]);
        expect(live.offsets()).toEqual([1, 2, 3]);
        expect(live.messages.map((m) => m.data)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
        expect(new Set(live.messages.map((m) => m.epoch))).toEqual(new Set([acks[0]?.message.epoch]));
        expect(live.messages[0]).toMatchObject({ topic: 'chat:room-1', id: acks[0]?.message.id, timestamp: acks[0]?.message.timestamp });
        await live.unsubscribe();
        await broker.publish('chat:room-1', msg({ n: 4 }));
        const after = await broker.history('chat:room-1', { last: 1 });
        expect(after.head.offset).toBe(4);
        expect(live.messages).toHaveLength(3);
      }));

    test('GIVEN two instances on one backend WHEN both publish concurrently THEN offsets are consecutive and every subscriber sees the same order', () =>
      withBroker(async (a, ns) => {
        const b = await target.create(ns);
        try {
          const onA = await listen(a, 'prices/BTC');
          const onB = await listen(b, 'prices/BTC');
          const acks = await Promise.all(range(1, 40).map((i) => (i % 2 ? a : b).publish('prices/BTC', msg(i))));
          expect(acks.map((x) => x.message.offset).sort((x, y) => x - y)).toEqual(range(1, 40));
          await Promise.all([onA.waitFor(40), onB.waitFor(40)]);
          expect(onA.offsets()).toEqual(range(1, 40));
          expect(onB.offsets()).toEqual(range(1, 40));
          expect(onB.messages.map((m) => m.id)).toEqual(onA.messages.map((m) => m.id));
          const epoch = onA.messages[0]!.epoch;
          const replay = await b.history('prices/BTC', { since: { offset: 0, epoch } });
          expect([replay.recovered, replay.messages.map((m) => m.id)]).toEqual([true, onA.messages.map((m) => m.id)]);
          const page = await a.history('prices/BTC', { since: { offset: 3, epoch }, limit: 30 });
          expect(page.messages.map((m) => m.offset)).toEqual(range(4, 33));
        } finally {
          await b.close();
        }
      }));

    test('GIVEN an empty topic WHEN its head is read and messages follow THEN resuming from that head replays them', () =>
      withBroker(async (broker) => {
        const empty = await broker.history('fresh.topic', { since: { offset: 0, epoch: 'nope' } });
        expect(empty).toMatchObject({ messages: [], recovered: false });
        expect(empty.head.offset).toBe(0);
        const atHead = await broker.history('fresh.topic', { since: empty.head });
        // A read stores nothing, so the head of an unknown topic is not its future epoch, only resumable.
        expect(atHead).toMatchObject({ messages: [], recovered: true, head: { offset: 0 } });
        await broker.publish('fresh.topic', msg('a'));
        await broker.publish('fresh.topic', msg('b'));
        const replay = await broker.history('fresh.topic', { since: empty.head });
        expect(replay.recovered).toBe(true);
        expect(replay.messages.map((m) => [m.offset, m.data])).toEqual([[1, 'a'], [2, 'b']]);
        expect(replay.head).toEqual({ offset: 2, epoch: replay.messages[0]?.epoch });
      }));

    test('GIVEN a subscriber on an empty topic WHEN its head is read and a message follows THEN the message comes in the epoch of that head', () =>
      withBroker(async (broker) => {
        const live = await listen(broker, 'watched');
        const { head } = await broker.history('watched', { last: 10 });
        await broker.publish('watched', msg('first'));
        await live.waitFor(1);
        expect(live.messages.map((m) => [m.offset, m.epoch])).toEqual([[1, head.epoch]]);
      }));

    test('GIVEN reads of 512 unknown topics (last N, since a head, since a made-up position) WHEN answered THEN the backend stores nothing for them', () =>
      withBroker(async (broker, ns) => {
        const before = await target.footprint(ns, broker);
        const topics = range(1, 512).map((i) => `anon/${i}.${randomBytes(4).toString('hex')}`);
        for (let i = 0; i < topics.length; i += 64) {
          await Promise.all(topics.slice(i, i + 64).map(async (topic) => {
            const { head } = await broker.history(topic, { last: 5 });
            await broker.history(topic, { since: head });
            await broker.history(topic, { since: { offset: 3, epoch: 'abcdefgh' }, limit: 10 });
          }));
        }
        expect(await target.footprint(ns, broker)).toBe(before);
      }), 60_000);

    test('GIVEN five messages WHEN history is read since a position, with a limit, at the head, beyond it, or in another epoch THEN exactly the contract answers', () =>
      withBroker(async (broker) => {
        for (const n of range(1, 5)) await broker.publish('t', msg(n));
        const { head } = await broker.history('t', { last: 0 });
        const { epoch } = head;
        expect(head.offset).toBe(5);
        const since2 = await broker.history('t', { since: { offset: 2, epoch } });
        expect([since2.recovered, since2.messages.map((m) => m.data)]).toEqual([true, [3, 4, 5]]);
        const limited = await broker.history('t', { since: { offset: 2, epoch }, limit: 2 });
        expect([limited.recovered, limited.messages.map((m) => m.offset)]).toEqual([true, [3, 4]]);
        expect(await broker.history('t', { since: { offset: 5, epoch } })).toEqual({ messages: [], recovered: true, head });
        expect(await broker.history('t', { since: { offset: 6, epoch } })).toEqual({ messages: [], recovered: false, head });
        expect(await broker.history('t', { since: { offset: 2, epoch: `${epoch}x` } })).toEqual({ messages: [], recovered: false, head });
        expect((await broker.history('t', { since: { offset: 0, epoch } })).messages.map((m) => m.offset)).toEqual(range(1, 5));
      }));

    test('GIVEN five messages WHEN the last N are asked THEN the newest N come oldest first', () =>
      withBroker(async (broker) => {
        for (const n of range(1, 5)) await broker.publish('t', msg(n));
        expect((await broker.history('t', { last: 3 })).messages.map((m) => m.data)).toEqual([3, 4, 5]);
        expect((await broker.history('t', { last: 0 })).messages).toEqual([]);
        const all = await broker.history('t', { last: 100 });
        expect([all.recovered, all.messages.map((m) => m.offset)]).toEqual([true, range(1, 5)]);
        expect((await broker.history('empty', { last: 10 })).messages).toEqual([]);
      }));

    test('GIVEN a small history WHEN a position was trimmed away THEN recovered:false with no partial replay; a recent one still resumes', () =>
      withBroker(
        async (broker) => {
          for (const n of range(1, 300)) await broker.publish('busy', msg(n));
          const { head } = await broker.history('busy', { last: 0 });
          expect(head.offset).toBe(300);
          expect(await broker.history('busy', { since: { offset: 1, epoch: head.epoch } })).toEqual({ messages: [], recovered: false, head });
          const recent = await broker.history('busy', { since: { offset: 297, epoch: head.epoch } });
          expect([recent.recovered, recent.messages.map((m) => m.offset)]).toEqual([true, [298, 299, 300]]);
          const last = await broker.history('busy', { last: 1000 });
          expect(last.messages.length).toBeLessThan(300);
          expect(last.messages.map((m) => m.offset)).toEqual(range(301 - last.messages.length, 300));
        },
        { historySize: 5 },
      ));

    test('GIVEN a topic whose history is lost WHEN a client resumes or publishing goes on THEN the epoch changes, offsets restart at 1, resume says recovered:false', () =>
      withBroker(async (first, ns) => {
        await first.publish('t', msg(1));
        await first.publish('t', msg(2));
        const before = (await first.history('t', { last: 0 })).head;
        const broker = await target.loseHistory(ns, 't', first);
        try {
          const live = await listen(broker, 't');
          const resumed = await broker.history('t', { since: before });
          expect(resumed.recovered).toBe(false);
          expect(resumed.messages).toEqual([]);
          expect(resumed.head.epoch).not.toBe(before.epoch);
          const ack = await broker.publish('t', msg('new'));
          expect(ack.message.offset).toBe(1);
          expect(ack.message.epoch).not.toBe(before.epoch);
          expect(ack.message.epoch).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
          await live.waitFor(1);
          expect(live.messages.map((m) => [m.offset, m.epoch])).toEqual([[1, ack.message.epoch]]);
        } finally {
          if (broker !== first) await broker.close();
        }
      }));

    test('GIVEN an id already published on a topic WHEN it is published again THEN duplicate:true with the first message and no second delivery', () =>
      withBroker(async (broker, ns) => {
        const other = await target.create(ns);
        try {
          const live = await listen(broker, 'orders');
          const first = await broker.publish('orders', msg({ v: 1 }, 'order-42'));
          const again = await other.publish('orders', msg({ v: 2 }, 'order-42'));
          expect(first.duplicate).toBe(false);
          expect(again).toEqual({ message: first.message, duplicate: true });
          const elsewhere = await broker.publish('invoices', msg({ v: 3 }, 'order-42'));
          expect(elsewhere.duplicate).toBe(false);
          const oddId = 'line\r\nbreak: {}*>. ünï';
          expect((await broker.publish('orders', msg({ v: 5 }, oddId))).duplicate).toBe(false);
          expect((await broker.publish('orders', msg({ v: 6 }, oddId))).duplicate).toBe(true);
          await broker.publish('orders', msg({ v: 4 }));
          await live.waitFor(3);
          expect(live.messages.map((m) => m.data)).toEqual([{ v: 1 }, { v: 5 }, { v: 4 }]);
          expect(live.offsets()).toEqual([1, 2, 3]);
        } finally {
          await other.close();
        }
      }));

    test('GIVEN many topics on one broker WHEN each gets messages THEN each subscriber sees only its own, in order', () =>
      withBroker(async (broker) => {
        const topics = range(1, 30).map((i) => `room:${i}/feed.${i % 3}`);
        const lives = await Promise.all(topics.map((topic) => listen(broker, topic)));
        await Promise.all(topics.map(async (topic) => {
          for (const n of [1, 2, 3]) await broker.publish(topic, msg({ topic, n }));
        }));
        await Promise.all(lives.map((live) => live.waitFor(3)));
        lives.forEach((live, i) => {
          expect(live.messages.map((m) => [m.topic, m.offset, m.data])).toEqual([1, 2, 3].map((n) => [topics[i], n, { topic: topics[i], n }]));
        });
      }));

    test('GIVEN a payload at the 64 KiB size limit WHEN published THEN live and history return it intact', () =>
      withBroker(async (broker) => {
        const text = 'é'.repeat(1000) + 'x'.repeat(64 * 1024 - 2 - 2000 - 20) + '"\\\n\u2028';
        const data = { text };
        expect(Buffer.byteLength(JSON.stringify(data))).toBeGreaterThan(64 * 1024 - 64);
        expect(Buffer.byteLength(JSON.stringify(data))).toBeLessThanOrEqual(64 * 1024);
        const live = await listen(broker, 'big');
        await broker.publish('big', msg(data));
        await broker.publish('big', msg([1, { nested: [null, true, 0.5] }, {}]));
        await live.waitFor(2);
        expect(live.messages[0]?.data).toEqual(data);
        expect(live.messages[1]?.data).toEqual([1, { nested: [null, true, 0.5] }, {}]);
        expect((await broker.history('big', { last: 2 })).messages.map((m) => m.data)).toEqual([data, [1, { nested: [null, true, 0.5] }, {}]]);
      }));

    test('GIVEN two apps with different prefixes on one backend WHEN both use the same topic name THEN neither sees the other', () =>
      withBroker(async (appA) => {
        const nsB = uniqueNamespace();
        const appB = await target.create(nsB);
        try {
          const onA = await listen(appA, 'shared-name');
          const onB = await listen(appB, 'shared-name');
          await appA.publish('shared-name', msg('from-a', 'same-id'));
          const fromB = await appB.publish('shared-name', msg('from-b', 'same-id'));
          expect([fromB.duplicate, fromB.message.offset]).toEqual([false, 1]);
          await appA.publish('shared-name', msg('from-a-2'));
          await Promise.all([onA.waitFor(2), onB.waitFor(1)]);
          expect(onA.messages.map((m) => m.data)).toEqual(['from-a', 'from-a-2']);
          expect(onB.messages.map((m) => m.data)).toEqual(['from-b']);
          expect((await appB.history('shared-name', { last: 10 })).messages.map((m) => m.data)).toEqual(['from-b']);
        } finally {
          await appB.close();
          await target.cleanup(nsB);
        }
      }));

    test('GIVEN the default history window WHEN 10,000 small messages are published THEN a consumer positioned before the first recovers all of them', () =>
      withBroker(async (broker) => {
        const { head } = await broker.history('burst', { last: 0 });
        for (let i = 0; i < 10_000; i += 250) {
          await Promise.all(range(i + 1, i + 250).map((n) => broker.publish('burst', msg(n))));
        }
        const replay = await broker.history('burst', { since: head });
        expect(replay.recovered).toBe(true);
        expect(replay.messages.map((m) => m.offset)).toEqual(range(1, 10_000));
        expect(new Set(replay.messages.map((m) => m.data)).size).toBe(10_000);
      }), 120_000);

    test('GIVEN a 1-second history window WHEN a position falls out of it THEN recovered:false; a head read afterwards still resumes', () =>
      withBroker(
        async (broker) => {
          for (const n of range(1, 3)) await broker.publish('aging', msg(n));
          const { epoch } = (await broker.history('aging', { last: 0 })).head;
          const deadline = Date.now() + 15_000;
          while ((await broker.history('aging', { since: { offset: 2, epoch } })).recovered) {
            if (Date.now() > deadline) throw new Error('history never aged out');
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          expect(await broker.history('aging', { since: { offset: 0, epoch } })).toMatchObject({ recovered: false, messages: [] });
          expect(await broker.history('aging', { since: { offset: 1, epoch } })).toMatchObject({ recovered: false, messages: [] });
          const { head } = await broker.history('aging', { last: 0 });
          await broker.publish('aging', msg('fresh'));
          const resumed = await broker.history('aging', { since: head });
          expect([resumed.recovered, resumed.messages.map((m) => m.data)]).toEqual([true, ['fresh']]);
        },
        { historyTtlMs: 1000 },
      ), 30_000);
  });
}
