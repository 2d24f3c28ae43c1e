import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';

/**
 * Bundle budgets of the core client, min+gz (docs/client.md, "Size"). Measured by bundling a small app
 * entry with esbuild (vite's own), minified and tree-shaken for the browser, then gzip -9.
 */
// Raised by 1 KB each on 29 Nov 2026 for the hardening of issues 9 and 15 (per-topic state and resubscribe,
// connect timeout, expiring transport skips, retry windows, drain announcements): +1.4 KB measured.
// Raised by 256 B (full, defaults) for presence's plumbing through the transports and the client's seam
// (issue 14): +0.2 KB measured; the presence module itself is bundled only with `joinPresence`.
// SSE-only raised by 62 B for `onConflated` (issue 11): 6,625 -> 6,687 B measured.
const BUDGETS = {
  /** createClient with its default chain plus fetchSseTransport: every transport, eventsource-parser included. */
  full: 10496,
  /** createClient with its default chain (WebSocket, SSE, long-poll), no fetch-SSE and no parser. */
  defaults: 8448,
  /** createBaseClient with eventSourceTransport only: a page that only listens. */
  sseOnly: 6718,
} as const;

const core = fileURLToPath(new URL('../../packages/core/src/index.ts', import.meta.url));
/** The part of esbuild's API used here (esbuild comes with vite; it is not a direct dependency). */
interface Esbuild {
  build(options: Record<string, unknown>): Promise<{ outputFiles: { contents: Uint8Array }[] }>;
}
const esbuild = createRequire(createRequire(import.meta.url).resolve('vite'))('esbuild') as Esbuild;

async function measure(entry: string): Promise<{ min: number; gz: number }> {
  const result = await esbuild.build({
    stdin: { contents: entry.replaceAll('CORE', JSON.stringify(core)), resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'ts' },
    bundle: true,
    minify: true,
    treeShaking: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    nodePaths: [fileURLToPath(new URL('../../packages/core/node_modules', import.meta.url))],
  });
  const code = result.outputFiles[0]!.contents;
  return { min: code.byteLength, gz: gzipSync(code, { level: 9 }).byteLength };
}

describe('client bundle size (min+gz)', () => {
  test('full client, all four transports', async () => {
    const size = await measure(`
      import { createClient, fetchSseTransport, webSocketTransport, eventSourceTransport, longPollTransport } from CORE;
      export const client = createClient({ url: '/realtime', transports: [webSocketTransport(), fetchSseTransport(), eventSourceTransport(), longPollTransport()] });
      export const defaults = createClient({ url: '/realtime' });
      client.subscribe('t', { onMessage: console.log });
      client.publish('t', 1);
    `);
    console.log(`[size] full client: ${size.min} B min, ${size.gz} B min+gz (budget ${BUDGETS.full})`);
    expect(size.gz).toBeLessThanOrEqual(BUDGETS.full);
  });

  test('default createClient (WebSocket -> SSE -> long-poll)', async () => {
    const size = await measure(`
      import { createClient } from CORE;
      const client = createClient({ url: '/realtime' });
      client.subscribe('t', { onMessage: console.log });
    `);
    console.log(`[size] default createClient: ${size.min} B min, ${size.gz} B min+gz (budget ${BUDGETS.defaults})`);
    expect(size.gz).toBeLessThanOrEqual(BUDGETS.defaults);
  });

  test('SSE-only subscriber', async () => {
    const size = await measure(`
      import { createBaseClient, eventSourceTransport } from CORE;
      const client = createBaseClient({ url: '/realtime', transports: [eventSourceTransport()] });
      client.subscribe('prices:BTC', { onMessage: (m) => console.log(m.data) });
    `);
    console.log(`[size] SSE-only subscriber: ${size.min} B min, ${size.gz} B min+gz (budget ${BUDGETS.sseOnly})`);
    expect(size.gz).toBeLessThanOrEqual(BUDGETS.sseOnly);
  });
});
