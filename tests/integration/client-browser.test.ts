import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { launchBrowser } from '../e2e/helpers/browser.js';
import type { TestBrowser, TrackedPage } from '../e2e/helpers/browser.js';
import { startClientHub } from './client-fixtures.js';
import type { ClientTestHub } from './client-fixtures.js';

/**
 * The core client in real Chromium, with the browser's own WebSocket, EventSource and fetch: the things a
 * Node run cannot show (an EventSource that hides HTTP statuses, a refused upgrade that is just close 1006).
 */

interface Esbuild {
  build(options: Record<string, unknown>): Promise<{ outputFiles: { text: string }[] }>;
}
const esbuild = createRequire(createRequire(import.meta.url).resolve('vite'))('esbuild') as Esbuild;

let script = '';
let browser: TestBrowser;
let hub: ClientTestHub | undefined;
let tab: TrackedPage | undefined;

beforeAll(async () => {
  const built = await esbuild.build({
    entryPoints: [fileURLToPath(new URL('../../packages/core/src/index.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    globalName: 'Realtime',
    platform: 'browser',
    target: 'es2022',
    write: false,
    nodePaths: [fileURLToPath(new URL('../../packages/core/node_modules', import.meta.url))],
  });
  script = built.outputFiles[0]!.text;
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await tab?.close();
  tab = undefined;
  await hub?.close();
  hub = undefined;
});

const page = `<!doctype html><meta charset="utf-8"><title>core client</title><script src="/client.js"></script>`;

async function open(options: Parameters<typeof startClientHub>[0] = {}) {
  hub = await startClientHub({
    heartbeatMs: 2000,
    ...options,
    files: { '/': { type: 'text/html', body: page }, '/client.js': { type: 'text/javascript', body: script } },
  });
  tab = await browser.newPage({ ignore: [/Failed to load resource/, /WebSocket connection to .* failed/, /EventSource/] });
  await tab.page.goto(`http://127.0.0.1:${hub.port}/`);
  return tab.page;
}

/** Start a client in the page; `window.log` collects messages, events and states. */
const START = `(${function start(transports: string[] | null) {
  type Make = (...args: unknown[]) => unknown;
  const R = (window as unknown as { Realtime: { [name in 'webSocketTransport' | 'eventSourceTransport' | 'longPollTransport' | 'createClient']: Make } }).Realtime;
  const make: Record<string, () => unknown> = {
    websocket: () => R.webSocketTransport(),
    sse: () => R.eventSourceTransport(),
    'long-poll': () => R.longPollTransport(),
  };
  const log = { data: [] as unknown[], events: [] as unknown[], states: [] as { status: string; transport: string | null; error: { code: string } | null }[] };
  const options: Record<string, unknown> = { url: '/realtime', backoff: { baseMs: 20, capMs: 100 }, minUptimeMs: 50 };
  if (transports) options.transports = transports.map((name) => make[name]!());
  const client = R.createClient(options) as {
    subscribe(topic: string, options: unknown): unknown;
    onState(listener: (state: unknown) => void): void;
    publish(topic: string, data: unknown): Promise<unknown>;
  };
  client.onState((state) => log.states.push(state as (typeof log.states)[number]));
  client.subscribe('t', { onMessage: (m: { data: unknown }) => log.data.push(m.data), onSubscribed: (e: unknown) => log.events.push(e) });
  Object.assign(window, { client, log });
}})`;

const state = (p: Awaited<ReturnType<typeof open>>) =>
  p.evaluate(() => (window as unknown as { log: { data: unknown[]; events: { recovered: boolean }[]; states: { status: string; transport: string | null; error: { code: string } | null }[] } }).log);

describe('core client in Chromium', () => {
  test('native EventSource: receive, lose the connection, resume with no loss and no duplicate', async () => {
    const p = await open();
    await p.evaluate(`${START}(['sse'])`);
    await p.waitForFunction(() => (window as unknown as { log: { events: unknown[] } }).log.events.length === 1);
    for (let i = 1; i <= 5; i++) await hub!.hub.publish('t', i);
    await p.waitForFunction(() => (window as unknown as { log: { data: unknown[] } }).log.data.length === 5);
    hub!.cut();
    for (let i = 6; i <= 10; i++) await hub!.hub.publish('t', i);
    await p.waitForFunction(() => (window as unknown as { log: { data: unknown[] } }).log.data.length >= 10);
    await hub!.hub.publish('t', 11);
    await p.waitForFunction(() => (window as unknown as { log: { data: unknown[] } }).log.data.length >= 11);
    const log = await state(p);
    expect(log.data).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(log.events.map((e) => e.recovered)).toEqual([true, true]);
    expect(tab!.problems).toEqual([]);
  });

  test('native EventSource refused with 401: the status is probed once and the client stops, no loop', async () => {
    let attempts = 0;
    const p = await open({
      authenticate: () => {
        attempts++;
        return null;
      },
    });
    await p.evaluate(`${START}(['sse'])`);
    await p.waitForFunction(() => (window as unknown as { log: { states: { status: string }[] } }).log.states.some((s) => s.status === 'closed'));
    await p.waitForTimeout(500);
    const log = await state(p);
    expect(log.states.at(-1)).toMatchObject({ status: 'closed', error: { code: 'unauthorized' } });
    // The EventSource request and the one fetch that reads its status; the browser's own retry never runs.
    expect(attempts).toBe(2);
  });

  test('WebSocket upgrade refused: the default chain falls back to SSE', async () => {
    const p = await open({ websocket: false });
    await p.evaluate(`${START}(null)`);
    await p.waitForFunction(() => (window as unknown as { log: { events: unknown[] } }).log.events.length === 1);
    await hub!.hub.publish('t', 'via sse');
    await p.waitForFunction(() => (window as unknown as { log: { data: unknown[] } }).log.data.length === 1);
    const log = await state(p);
    expect(log.states.at(-1)).toMatchObject({ status: 'open', transport: 'sse' });
    expect(log.data).toEqual(['via sse']);
  });

  test('WebSocket: publish with ack and receive, in the browser', async () => {
    const p = await open();
    await p.evaluate(`${START}(null)`);
    await p.waitForFunction(() => (window as unknown as { log: { events: unknown[] } }).log.events.length === 1);
    const ack = await p.evaluate(() => (window as unknown as { client: { publish(t: string, d: unknown): Promise<unknown> } }).client.publish('t', { hi: 1 }));
    expect(ack).toMatchObject({ topic: 't', offset: 1, duplicate: false });
    await p.waitForFunction(() => (window as unknown as { log: { data: unknown[] } }).log.data.length === 1);
    const log = await state(p);
    expect(log.states.at(-1)).toMatchObject({ status: 'open', transport: 'websocket' });
    expect(log.data).toEqual([{ hi: 1 }]);
    expect(tab!.problems).toEqual([]);
  });
});
