import { createBaseClient, type BaseClientOptions, type RealtimeClient } from '@qwik-realtime/core';
import type { RealtimeConfig } from './config.js';
import { createWorkerHostClient } from './worker-host.js';

/**
 * Build a core client from serializable config: the named transports' QRLs are loaded (nothing else is in
 * the bundle), the function QRLs become the core's `getToken` / `debug`.
 */
export async function createClientFromConfig(config: RealtimeConfig): Promise<RealtimeClient> {
  if (config.transports.length === 0) {
    throw new Error(
      "@qwik-realtime/qwik: no transports for this endpoint: wrap the page in <RealtimeProvider transports={[sse]}> (or defaultTransports from '@qwik-realtime/qwik/transports/default')",
    );
  }
  if (config.host === 'worker') return createWorkerHostClient(config);
  const transports = await Promise.all(config.transports.map((make) => make()));
  const extra = (config.options ?? {}) as Partial<BaseClientOptions>;
  const { getToken$, debug$ } = config;
  return createBaseClient({
    ...extra,
    url: config.url,
    transports,
    ...(getToken$ ? { getToken: () => getToken$() } : {}),
    ...(debug$ ? { debug: (event: string, detail?: unknown) => void debug$(event, detail) } : {}),
  });
}
