import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { realtimeVitePlugin } from '@qwik-realtime/server/vite';
import { createServer } from 'vite';
import type { ViteDevServer } from 'vite';
import { afterEach, expect, test } from 'vitest';
import { openSse, openWs, publishHttp } from './helpers/index.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const viteConfig = { configFile: false as const, logLevel: 'silent' as const, root: import.meta.dirname, optimizeDeps: { noDiscovery: true, include: [] } };

async function exercise(origin: string) {
  const stream = await openSse(`${origin}/realtime/sse?topic=dev`);
  await stream.events.take((e) => e.event === 'subscribed');
  const ws = await openWs(`${origin.replace('http', 'ws')}/realtime/ws`);
  cleanups.push(async () => ws.socket.terminate());
  ws.send({ type: 'subscribe', topic: 'dev' });
  await ws.frames.take((f) => f.type === 'subscribed');
  expect((await publishHttp(`${origin}/realtime`, { topic: 'dev', data: 'hot' })).status).toBe(200);
  expect((await stream.events.take((e) => e.event === 'message')).json.data).toBe('hot');
  expect((await ws.frames.take((f) => f.type === 'message')).data).toBe('hot');
  stream.close();
}

test('GIVEN the plugin on a Vite dev server THEN SSE, WebSocket and publish answer on its port, next to Vite', async () => {
  const plugin = realtimeVitePlugin();
  const server: ViteDevServer = await createServer({ ...viteConfig, plugins: [plugin], server: { port: 0, host: '127.0.0.1', strictPort: false, ws: false } });
  cleanups.push(() => server.close());
  await server.listen();
  const { port } = server.httpServer!.address() as AddressInfo;
  await exercise(`http://127.0.0.1:${port}`);
  expect(plugin.hub?.stats().connections.ws).toBe(1);
  // Vite still serves its own routes.
  expect((await fetch(`http://127.0.0.1:${port}/@vite/client`)).status).toBe(200);
});

test('GIVEN Vite in middleware mode (as Storybook runs it) THEN upgrades are served from hmr.server', async () => {
  const httpServer = createHttpServer();
  const plugin = realtimeVitePlugin();
  const vite = await createServer({ ...viteConfig, plugins: [plugin], server: { middlewareMode: true, hmr: { server: httpServer } } });
  cleanups.push(async () => {
    await vite.close();
    await plugin.hub?.close();
    httpServer.closeAllConnections();
    await new Promise((resolve) => httpServer.close(resolve));
  });
  httpServer.on('request', vite.middlewares);
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address() as AddressInfo;
  await exercise(`http://127.0.0.1:${port}`);
});
