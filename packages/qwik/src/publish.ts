import type { PublishOptions } from '@qwik-realtime/core';
import type { PublishAck } from '@qwik-realtime/core/protocol';
import { acquireClient } from './client-registry.js';
import type { RealtimeConfig } from './config.js';

/**
 * Publish through the page's shared client for `config` and wait for the hub's acknowledgement. Browser
 * only; on the server publish through the hub (`@qwik-realtime/qwik/server`).
 */
export async function publishVia<T>(config: RealtimeConfig, topic: string, data: T, options?: PublishOptions): Promise<PublishAck> {
  const lease = await acquireClient(config);
  try {
    return await lease.client.publish(topic, data, options);
  } finally {
    lease.release();
  }
}
