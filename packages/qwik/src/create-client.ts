import {
  createBaseClient,
  eventSourceTransport,
  fetchSseTransport,
  longPollTransport,
  webSocketTransport,
  type BaseClientOptions,
  type RealtimeClient,
  type Transport,
  type TransportName,
} from '@qwik-realtime/core';
import { DEFAULT_TRANSPORTS, type RealtimeConfig } from './config.js';

const TRANSPORTS: Record<TransportName, () => Transport> = {
  websocket: () => webSocketTransport(),
  sse: () => eventSourceTransport(),
  'fetch-sse': () => fetchSseTransport(),
  'long-poll': () => longPollTransport(),
};

/** Build a core client from serializable config (transport names become transport values here). */
export function createClientFromConfig(config: RealtimeConfig): RealtimeClient {
  const transports = (config.transports ?? DEFAULT_TRANSPORTS).map((name) => {
    const make = TRANSPORTS[name];
    if (!make) throw new Error(`@qwik-realtime/qwik: unknown transport ${JSON.stringify(name)}`);
    return make();
  });
  const extra = (config.options ?? {}) as Partial<BaseClientOptions>;
  return createBaseClient({ ...extra, url: config.url, transports });
}
