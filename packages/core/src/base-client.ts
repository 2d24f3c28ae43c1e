import { createClientWith } from './client.js';
import type { BaseClientOptions } from './client.js';
import type { RealtimeClient } from './types.js';

/**
 * Create a client with an explicit transport list (nothing else is bundled). `createClient` is the same
 * with the default chain WebSocket -> SSE -> long-poll.
 * @example
 * const client = createBaseClient({ url: '/realtime', transports: [eventSourceTransport()] });
 * const sub = client.subscribe('prices:BTC', { onMessage: (m) => console.log(m.data) });
 */
export function createBaseClient(options: BaseClientOptions): RealtimeClient {
  // Its own chunk in an app's build: loaded on the first publish.
  return createClientWith(options, () => import('./publish.js'));
}
