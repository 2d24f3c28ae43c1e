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

/** Publishes 1, 2, 3... on {@link HONEST_TOPIC}, one at a time, until stopped. */
export function startSequence(hub: Hub<FuzzUser>, everyMs: number) {
  let published = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      await hub.publish(HONEST_TOPIC, published + 1);
      published++;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  // A failed publish surfaces in stop(); until then it must not be an unhandled rejection.
  loop.catch(() => undefined);
  return {
    /** Stop and resolve with how many were published (rejects if a publish failed). */
    async stop(): Promise<number> {
      running = false;
      await loop;
      return published;
    },
  };
}
