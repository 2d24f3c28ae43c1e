import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from './auth.js';
import { createHub } from './hub.js';
import type { Hub } from './hub.js';
import { attachHub, createNodeHandler } from './node.js';
import type { UpgradeEmitter } from './node.js';
import type { HubOptions } from './options.js';

/** The part of Vite's dev/preview server the plugin uses (typed structurally: no `vite` dependency). */
export interface ViteServerLike {
  middlewares: { use(handler: (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void): unknown };
  /** `null` in middleware mode (Storybook). */
  httpServer: (UpgradeEmitter & { once(event: 'close', listener: () => void): unknown }) | null;
  config: { server: { hmr?: boolean | { server?: UpgradeEmitter } } };
}

/** Options of {@link realtimeVitePlugin}: a ready hub, or options to create one per dev server. */
export interface RealtimeVitePluginOptions<P extends Principal = Principal> extends HubOptions<P> {
  /** Serve this hub (never closed by the plugin). Otherwise the plugin creates one per server and closes it with the server. */
  hub?: Hub<P>;
}

/** The plugin object (a Vite `Plugin`). */
export interface RealtimeVitePlugin<P extends Principal = Principal> {
  name: 'qwik-realtime';
  configureServer(server: ViteServerLike): void;
  configurePreviewServer(server: ViteServerLike): void;
  /** The hub serving the current dev server (`undefined` before Vite configured it). */
  readonly hub: Hub<P> | undefined;
}

/**
 * Mount the hub on Vite's dev and preview servers: HTTP endpoints as middleware, WebSocket upgrades on
 * `{path}/ws` of `server.httpServer` — or, when Vite runs in middleware mode (Storybook), of
 * `server.config.server.hmr.server`. Vite's own HMR socket is left alone.
 * @example
 * // vite.config.ts
 * export default defineConfig({ plugins: [qwikCity(), qwikVite(), realtimeVitePlugin({ heartbeatMs: 10_000 })] });
 */
export function realtimeVitePlugin<P extends Principal = Principal>(options: RealtimeVitePluginOptions<P> = {}): RealtimeVitePlugin<P> {
  const { hub: given, ...hubOptions } = options;
  let current: Hub<P> | undefined = given;

  const mount = (server: ViteServerLike) => {
    const hub = given ?? createHub<P>(hubOptions);
    current = hub;
    server.middlewares.use(createNodeHandler(hub));
    const hmr = server.config.server.hmr;
    const upgrades = server.httpServer ?? (typeof hmr === 'object' ? hmr.server : undefined);
    const detach = upgrades ? attachHub(upgrades, hub) : undefined;
    server.httpServer?.once('close', () => {
      detach?.();
      if (!given) void hub.close();
    });
  };

  return {
    name: 'qwik-realtime',
    configureServer: mount,
    configurePreviewServer: mount,
    get hub() {
      return current;
    },
  };
}
