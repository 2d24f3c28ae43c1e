import { afterEach, describe, expect, expectTypeOf, test } from 'vitest';
import { createBaseClient, createClient, eventSourceTransport } from './index.js';
import type { ClientError, ConnectionState, Envelope, PublishAck, RealtimeClient, Subscription, TopicState } from './index.js';

const poisoned = ['window', 'document', 'WebSocket', 'EventSource', 'fetch', 'location'] as const;
const saved = new Map<string, PropertyDescriptor | undefined>();

afterEach(() => {
  for (const [name, descriptor] of saved) {
    if (descriptor) Object.defineProperty(globalThis, name, descriptor);
    else delete (globalThis as Record<string, unknown>)[name];
  }
  saved.clear();
});

describe('public API', () => {
  test('SSR: importing, constructing and observing touch no browser global and connect nothing', () => {
    const touched: string[] = [];
    for (const name of poisoned) {
      saved.set(name, Object.getOwnPropertyDescriptor(globalThis, name));
      Object.defineProperty(globalThis, name, {
        configurable: true,
        get() {
          touched.push(name);
          throw new Error(`${name} touched during SSR`);
        },
      });
    }
    const client = createClient({ url: '/realtime' });
    const lean = createBaseClient({ url: '/realtime', transports: [eventSourceTransport()] });
    const states: ConnectionState[] = [];
    const off = client.onState((s) => states.push(s));
    expect(client.getState()).toEqual({ status: 'idle', transport: null, attempt: 0, nextRetryAt: null, error: null });
    expect(lean.getState().status).toBe('idle');
    off();
    client.close();
    expect(touched).toEqual([]);
    // State is plain data: it survives structured cloning (postMessage, Qwik serialization).
    expect(structuredClone(client.getState())).toEqual(client.getState());
  });

  test('types: generics flow from subscribe to messages; publish resolves with the ack', () => {
    const client: RealtimeClient = createClient({ url: '/realtime' });
    expectTypeOf(client.subscribe<{ price: number }>)
      .parameter(1)
      .toHaveProperty('onMessage')
      .toEqualTypeOf<((message: Envelope<{ price: number }>) => void) | undefined>();
    expectTypeOf(client.subscribe('t', {})).toEqualTypeOf<Subscription>();
    // Type only: calling publish here would send it.
    expectTypeOf(client.publish<number>).returns.resolves.toEqualTypeOf<PublishAck>();
    expectTypeOf(client.subscribe('t', {}).state()).toEqualTypeOf<TopicState>();
    expectTypeOf<ConnectionState['error']>().toEqualTypeOf<ClientError | null>();
    client.close();
  });
});
