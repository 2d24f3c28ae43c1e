import { acquireClient } from './client-registry.js';
import type { RealtimeConfig } from './config.js';

/**
 * "Retry now": reconnect the page's shared client for `config`'s endpoint at once, also when a refusal
 * (`no_retry`) stopped it. Browser only, e.g. in an `onClick$`.
 * @example
 * <button onClick$={() => reconnect({ url: '/realtime' })}>Retry now</button>
 */
export async function reconnect(config: RealtimeConfig): Promise<void> {
  const lease = await acquireClient(config);
  lease.client.connect();
  lease.release();
}
