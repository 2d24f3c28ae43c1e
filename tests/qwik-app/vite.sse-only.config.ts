import { qwikVite } from '@builder.io/qwik/optimizer';
import { defineConfig } from 'vite';

/**
 * The client build of one page whose provider names SSE only (`src/sse-only/root.tsx`), into
 * `tmp/sse-only/`: `tests/e2e/qwik-sse-only-build.test.ts` reads it to check that naming fewer transports
 * bundles fewer (no WebSocket, long-poll, fetch-SSE or worker host code).
 */
export default defineConfig({
  plugins: [qwikVite({ srcDir: 'src/sse-only', client: { input: 'src/sse-only/root.tsx', outDir: 'tmp/sse-only' } })],
  clearScreen: false,
  logLevel: 'warn',
});
