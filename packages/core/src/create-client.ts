import { createBaseClient } from './base-client.js';
import type { BaseClientOptions } from './client.js';
import { eventSourceTransport } from './transports/event-source.js';
import { longPollTransport } from './transports/long-poll.js';
import { webSocketTransport } from './transports/websocket.js';
import type { RealtimeClient } from './types.js';

/** Options of {@link createClient}: {@link BaseClientOptions} with an optional transport chain. */
export type ClientOptions = Omit<BaseClientOptions, 'transports'> & Partial<Pick<BaseClientOptions, 'transports'>>;

/**
 * Create a realtime client: one connection (WebSocket, else SSE, else long-poll) multiplexing every topic
 * subscription, with reconnect, resume and dedup. Nothing connects until the first `subscribe`.
 * To bundle fewer transports, use {@link createBaseClient} with the ones you need.
 * @example
 * const client = createClient({ url: '/realtime' });
 * const sub = client.subscribe<{ price: number }>('prices:BTC', {
 *   history: 10,
 *   onMessage: (message) => render(message.data.price),
 *   onSubscribed: ({ recovered }) => { if (!recovered) reload(); },
 * });
 * await client.publish('chat/room-1', { text: 'hi' });
 * sub.unsubscribe();
 */
export function createClient(options: ClientOptions): RealtimeClient {
  return createBaseClient({
    ...options,
    transports: options.transports ?? [webSocketTransport(), eventSourceTransport(), longPollTransport()],
  });
}
