/**
 * Honest subscribers for the fuzz suite: the real core client on each transport (WebSocket with an `auth`
 * frame, native SSE with `?token=`, fetch-SSE and long-poll with a bearer header), all following
 * {@link HONEST_TOPIC}, and a publisher numbering the sequence 1, 2, 3... while the fuzzer runs.
 */
import { createBaseClient } from '@qwik-realtime/core';
import type { RealtimeClient, TransportName } from '@qwik-realtime/core';
import type { Hub } from '@qwik-realtime/server';
import { nodePlatform, transportNames, transportsByName, until } from './client-fixtures.js';
import { HONEST_TOPIC, TOKENS } from './fuzz-hub.js';
import type { FuzzUser } from './fuzz-hub.js';

/** One honest subscriber per transport. */
export interface HonestSubscribers {
  /** Sequence numbers received per transport, in arrival order. */
  received: Record<TransportName, number[]>;
  /** Connection drops each client went through. */
  drops: Record<TransportName, number>;
  /** Errors each client reported. */
  errors: Record<TransportName, string[]>;
  close(): void;
}

const perTransport = <T>(make: () => T) => Object.fromEntries(transportNames.map((name) => [name, make()])) as Record<TransportName, T>;

/** Connect every transport and resolve once every subscription is confirmed by the server. */
export async function startHonestSubscribers(url: string): Promise<HonestSubscribers> {
  const received = perTransport<number[]>(() => []);
  const drops = perTransport(() => 0);
  const errors = perTransport<string[]>(() => []);
  const subscribed = new Set<TransportName>();
  const clients: RealtimeClient[] = [];
  for (const name of transportNames) {
    const client = createBaseClient({
      url,
      transports: [transportsByName[name]()],
      platform: nodePlatform,
      getToken: () => TOKENS.good,
      backoff: { baseMs: 20, capMs: 200 },
      debug: (event) => {
        if (event === 'closed') drops[name]++;
      },
    });
    client.subscribe<number>(HONEST_TOPIC, {
      onMessage: (message) => received[name].push(message.data),
      onSubscribed: () => subscribed.add(name),
      onError: (error) => errors[name].push(`${error.code}: ${error.message}`),
    });
    clients.push(client);
  }
  await until(() => subscribed.size === transportNames.length, 'every honest subscriber subscribed');
  return { received, drops, errors, close: () => clients.forEach((client) => client.close()) };
}

/**
 * Publishes 1, 2, 3... on {@link HONEST_TOPIC}, one at a time and in order, one number per `tick()`: the
 * fuzzer ticks as it makes progress, so the honest work does not grow when a loaded machine stretches
 * the run.
 */
export function createSequence(hub: Hub<FuzzUser>) {
  let published = 0;
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown;
  return {
    tick(): void {
      chain = chain.then(async () => {
        if (failure !== undefined) return;
        try {
          await hub.publish(HONEST_TOPIC, published + 1);
          published++;
        } catch (error) {
          failure = error;
        }
      });
    },
    /** Wait for the publishes in flight; resolves with how many were published (rejects if one failed). */
    async stop(): Promise<number> {
      await chain;
      if (failure !== undefined) throw failure;
      return published;
    },
  };
}
