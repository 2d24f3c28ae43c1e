import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createServer, preview } from 'vite';

/**
 * Start the app on a free loopback port (port 0) and print `READY <url>`; the e2e tests wait for that line.
 * - default: the dev server. Vite runs in middleware mode on our own HTTP server, so the port is the
 *   kernel's choice and the hub's plugin takes WebSocket upgrades from that server (`hmr.server`).
 * - `--preview`: `vite preview` of the production build (`pnpm run build` first), hub mounted the same way.
 * Run with `node --import tsx tests/qwik-app/serve.ts [--preview]`.
 */
const root = fileURLToPath(new URL('.', import.meta.url));
const configFile = `${root}vite.config.ts`;

async function serveDev(): Promise<() => Promise<void>> {
  const httpServer = createHttpServer();
  const vite = await createServer({
    root,
    configFile,
    // Mode `ssr` makes Qwik's dev server render on the server, as the starter's `vite --mode ssr`.
    mode: 'ssr',
    appType: 'custom',
    server: { middlewareMode: true, hmr: { server: httpServer } },
  });
  httpServer.on('request', vite.middlewares);
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  console.log(`READY http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`);
  return async () => {
    await vite.close();
    httpServer.closeAllConnections();
    await new Promise((resolve) => httpServer.close(resolve));
  };
}

async function servePreview(): Promise<() => Promise<void>> {
  const server = await preview({ root, configFile, preview: { port: 0, host: '127.0.0.1' } });
  console.log(`READY http://127.0.0.1:${(server.httpServer.address() as AddressInfo).port}`);
  return () => server.close();
}

const close = process.argv.includes('--preview') ? await servePreview() : await serveDev();
const stop = () => void close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
