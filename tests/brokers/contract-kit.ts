/**
 * What the broker contract suite and the other broker tests share: how a suite reaches one broker
 * implementation ({@link ContractTarget}), unique namespaces, and a bounded live listener.
 */
import { randomBytes } from 'node:crypto';
import type { Envelope } from '@qwik-realtime/core/protocol';
import type { Broker } from '@qwik-realtime/server';

/** History limits a test asks of a target (each broker maps them to its own options of the same name). */
export interface TargetOptions {
  historySize?: number;
  historyTtlMs?: number;
}

/** How the suite reaches one broker implementation. */
export interface ContractTarget {
  name: string;
  /** A broker on `namespace`; two brokers created on the same namespace share their backend (two instances). */
  create(namespace: string, options?: TargetOptions): Promise<Broker>;
  /** Make `topic` lose its history as a flush/restart would; returns the broker to use from now on. */
  loseHistory(namespace: string, topic: string, broker: Broker): Promise<Broker>;
  /** How much the backend stores under `namespace` (keys, stream messages, topics): for "reads store nothing". */
  footprint(namespace: string, broker: Broker): Promise<number>;
  /** Remove everything the suite left under `namespace` in the backend. */
  cleanup(namespace: string): Promise<void>;
  /** Release the target's own connections after the suite. */
  dispose?(): Promise<void>;
}

/** A namespace unique to this run (letters and digits: valid as Redis prefix and NATS subject token). */
export const uniqueNamespace = (): string => `qrt${randomBytes(5).toString('hex')}`;

/** Records live messages of a topic and waits for a count, bounded. */
export async function listen(broker: Broker, topic: string) {
  const messages: Envelope[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const unsubscribe = await broker.subscribe(topic, (message) => {
    messages.push(message);
    for (const waiter of waiters) if (messages.length >= waiter.n) waiter.resolve();
  });
  return {
    messages,
    unsubscribe,
    offsets: () => messages.map((m) => m.offset),
    /** Resolves when at least `n` messages arrived; rejects after `ms`. */
    waitFor(n: number, ms = 10_000): Promise<void> {
      if (messages.length >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${topic}: ${messages.length}/${n} messages after ${ms} ms`)), ms);
        waiters.push({ n, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
  };
}
