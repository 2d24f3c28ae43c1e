/**
 * RabbitMQ restart during a steady stream: the shared node's application is stopped (`rabbitmqctl
 * stop_app`) and started again (always, in `finally`) while one broker instance publishes and another
 * subscribes. Streams are durable: every message arrives once, in order, in one epoch. Registered last by
 * rabbitmq.test.ts, so no other RabbitMQ test of the run is going on while the node is down.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import type { Broker, BrokerPublishResult } from '@qwik-realtime/server';
import { listen, uniqueNamespace } from './contract.js';
import { createTrackedRabbitMq, rabbitmqTarget } from './targets.js';

const run = promisify(execFile);
const rabbitmqctl = (command: 'stop_app' | 'start_app' | 'await_startup') => run('rabbitmqctl', [command], { timeout: 60_000 });
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const TOTAL = 40;
const STOP_AT = 20;

const target = rabbitmqTarget();

async function publishUntilAcked(broker: Broker, i: number, failures: unknown[]): Promise<BrokerPublishResult> {
  for (let attempt = 0; attempt < 400; attempt++) {
    try {
      return await broker.publish('ticks', { id: `tick-${i}`, data: i, timestamp: Date.now() });
    } catch (error) {
      failures.push(error);
      await delay(100);
    }
  }
  throw new Error(`message ${i} was never acknowledged`);
}

/** Registers the restart test. */
export function rabbitmqRestartSuite(): void {
  describe('RabbitMQ stop_app / start_app during a steady stream', () => {
    afterAll(() => target.dispose?.());
    test('GIVEN a subscriber and a publisher WHEN RabbitMQ stops and starts mid-stream THEN publishes fail with broker_unavailable meanwhile and the subscriber gets every message once, in order', async () => {
      const ns = uniqueNamespace();
      const publisher = createTrackedRabbitMq(ns, { requestTimeoutMs: 2000 });
      const subscriber = createTrackedRabbitMq(ns);
      const failures: unknown[] = [];
      try {
        const watched = await listen(subscriber, 'ticks');
        const acks: BrokerPublishResult[] = [];
        for (const i of range(1, STOP_AT)) acks.push(await publishUntilAcked(publisher, i, failures));
        await watched.waitFor(STOP_AT);
        try {
          await rabbitmqctl('stop_app');
          await expect(publisher.publish('ticks', { id: 'while-down', data: 0, timestamp: Date.now() })).rejects.toMatchObject({ code: 'broker_unavailable' });
          await expect(publisher.history('ticks', { last: 1 })).rejects.toMatchObject({ code: 'broker_unavailable' });
        } finally {
          await rabbitmqctl('start_app');
          await rabbitmqctl('await_startup');
        }
        for (const i of range(STOP_AT + 1, TOTAL)) acks.push(await publishUntilAcked(publisher, i, failures));
        expect(acks.map((a) => a.message.offset)).toEqual(range(1, TOTAL));
        expect(new Set(acks.map((a) => a.message.epoch)).size).toBe(1);
        for (const failure of failures) expect((failure as { code?: string }).code).toBe('broker_unavailable');
        await watched.waitFor(TOTAL, 30_000);
        expect(watched.offsets()).toEqual(range(1, TOTAL));
        expect(watched.messages.map((m) => m.data)).toEqual(range(1, TOTAL));
        const resumed = await subscriber.history('ticks', { since: { offset: STOP_AT, epoch: acks[0]!.message.epoch } });
        expect([resumed.recovered, resumed.messages.length]).toEqual([true, TOTAL - STOP_AT]);
      } finally {
        await publisher.close();
        await subscriber.close();
        await target.cleanup(ns);
      }
    }, 120_000);
  });
}
