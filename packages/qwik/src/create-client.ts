import { createBaseClient, type BaseClientOptions, type RealtimeClient } from '@qwik-realtime/core';
import type { RealtimeConfig } from './config.js';

/**
 * Build a core client from serializable config: the named transports' QRLs are loaded (nothing else is in
 * the bundle), the function QRLs become the core's `getToken` / `debug`.
 */
export async function createClientFromConfig(config: RealtimeConfig): Promise<RealtimeClient> {
  if (config.transports.length === 0) {
    throw new Error('@qwik-realtime/qwik: no transports: wrap the page in <RealtimeProvider transports={[sse]}>');
  }
  const transports = await Promise.all(config.transports.map((make) => make()));
  const { getToken$, debug$, host, options } = config;
  // Undefined options mean the same as absent ones to the core client and the connection host.
  const getToken = getToken$ && (() => getToken$());
  if (host) return host({ url: config.url, transports, options, getToken });
  return createBaseClient({
    ...(options as Partial<BaseClientOptions>),
    url: config.url,
    transports,
    getToken,
    debug: debug$ && ((event: string, detail?: unknown) => void debug$(event, detail)),
  });
}
