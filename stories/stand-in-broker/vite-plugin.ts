import type { Server } from 'node:http';
import type { Plugin, ViteDevServer } from 'vite';
import { mountStandIn } from './mount.js';
import { createStandIn } from './stand-in.js';
import type { StandIn, StandInOptions } from './stand-in.js';

/**
 * Mount the stand-in broker on Vite's dev server: `/realtime` (SSE, long-poll, publish, WebSocket) and
 * `/realtime-control` on the same origin as the stories.
 *
 * Under `storybook dev` Vite runs in middleware mode and `server.httpServer` is null; WebSocket upgrades
 * then arrive on Storybook's own HTTP server, which Vite sees as `server.config.server.hmr.server`.
 * @example
 * viteFinal: (config) => mergeConfig(config, { plugins: [standInBrokerPlugin()] })
 */
export function standInBrokerPlugin(options: StandInOptions = {}): Plugin & { readonly stand: () => StandIn | undefined } {
  let stand: StandIn | undefined;
  return {
    name: 'qwik-realtime:stand-in-broker',
    apply: 'serve',
    stand: () => stand,
    configureServer(server: ViteDevServer) {
      stand = createStandIn(options);
      const mount = mountStandIn(stand);
      server.middlewares.use((req, res, next) => mount.http(req, res, next));
      const hmr = server.config.server.hmr;
      const upgrades = server.httpServer ?? (typeof hmr === 'object' ? (hmr.server as Server | undefined) : undefined);
      if (!upgrades) server.config.logger.warn('@qwik-realtime/stories: no HTTP server to take WebSocket upgrades from; WebSocket stories will fall back');
      upgrades?.on('upgrade', mount.upgrade);
      const running = stand;
      const closeServer = server.close.bind(server);
      server.close = async () => {
        upgrades?.off('upgrade', mount.upgrade);
        mount.close();
        await running.close();
        return closeServer();
      };
    },
  };
}
