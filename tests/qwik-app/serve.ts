import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';

/**
 * Start the app's dev server on a free loopback port (port 0) and print `READY <url>`; the e2e test waits
 * for that line. Vite runs in middleware mode on our own HTTP server, so the port is the kernel's choice
 * and the hub's plugin takes WebSocket upgrades from that server (`hmr.server`).
 * Run with `node --import tsx tests/qwik-app/serve.ts`.
 */
const root = fileURLToPath(new URL('.', import.meta.url));
const httpServer = createHttpServer();
const vite = await createServer({
  root,
  configFile: `${root}vite.config.ts`,
  // Mode `ssr` makes Qwik's dev server render on the server, as the starter's `vite --mode ssr`.
  mode: 'ssr',
  appType: 'custom',
  server: { middlewareMode: true, hmr: { server: httpServer } },
});
httpServer.on('request', vite.middlewares);
await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
const { port } = httpServer.address() as AddressInfo;
console.log(`READY http://127.0.0.1:${port}`);

const stop = () => {
  void vite.close().finally(() => {
    httpServer.closeAllConnections();
    httpServer.close(() => process.exit(0));
  });
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
