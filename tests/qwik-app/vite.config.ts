import { qwikCity } from '@builder.io/qwik-city/vite';
import { qwikVite } from '@builder.io/qwik/optimizer';
import { realtimeVitePlugin } from '@qwik-realtime/server/vite';
import { defineConfig } from 'vite';
import { appHub } from './src/hub';

/** The e2e app: Qwik City in dev mode with the realtime hub mounted on the same origin (`/realtime`). */
export default defineConfig({
  plugins: [qwikCity(), qwikVite(), realtimeVitePlugin({ hub: appHub() })],
  // Nothing to discover: the app's imports are known, and a mid-test re-optimization would reload the page.
  optimizeDeps: { noDiscovery: true, include: [] },
  // undici (bundled into the SSR build by Qwik City's node middleware) probes `node:sqlite` inside a
  // try/catch; Node 20 has no such module, so leave that require alone instead of hoisting it to an import.
  build: { commonjsOptions: { ignore: ['node:sqlite'] } },
  clearScreen: false,
  logLevel: 'warn',
});
