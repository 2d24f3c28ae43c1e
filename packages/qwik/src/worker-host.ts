import type { RealtimeClient, Transport } from '@qwik-realtime/core';
import type { RealtimeConfig } from './config.js';

/**
 * Build the page's client for a config with `host: 'worker'`: the connection runs in the core's connection
 * host (a SharedWorker shared by every tab, else a dedicated Worker, else the page), reached through a
 * client with the same interface, so the hooks do not change. The worker builds its own transports, so the
 * config's transport QRLs are only asked for their names.
 */
export async function createWorkerHostClient(config: RealtimeConfig): Promise<RealtimeClient> {
  const { createWorkerClient } = await import('@qwik-realtime/core/host');
  const transports = config.transports ? (await Promise.all(config.transports.map((make) => make()))).map((transport: Transport) => transport.name) : undefined;
  const { getToken$ } = config;
  return createWorkerClient({
    url: config.url,
    ...(transports ? { transports } : {}),
    ...(config.options ? { options: config.options } : {}),
    ...(getToken$ ? { getToken: () => getToken$() } : {}),
  });
}
