import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser, type TrackedPage } from '../e2e/helpers/browser';
import { createConsumerApp, freePort, packAll, startProductionServer, type ConsumerApp, type ProductionServer } from './app';
import { BELOW_THE_FOLD_PAGE } from './below-the-fold';
import { startNoUpgradeProxy } from './proxy';
import { codeLines, type ReadmeBlock } from './readme';

/** Where the measurements go (the test's output is the report; this file is for reading them later). */
const REPORT = join(tmpdir(), 'qwik-realtime-consumer-report.json');
/** Network-level errors Chromium logs while the server is down or refuses upgrades: not the app's errors. */
const NETWORK_NOISE = [/WebSocket connection to .* failed/, /Failed to load resource: net::ERR_/, /Failed to load resource: the server responded with a status of 403/];

const log = (line: string) => console.log(`[consumer] ${line}`);
const report: Record<string, unknown> = {};

async function publish(base: string, data: string): Promise<{ offset: number; epoch: string }> {
  const response = await fetch(`${base}/realtime/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ topic: 'news', data }),
  });
  if (!response.ok) throw new Error(`publish: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as { offset: number; epoch: string };
}

const feed = (page: Page) => page.locator('ul[data-topic="news"]');
const items = (page: Page) => feed(page).locator('li').allTextContents();
const status = (page: Page) => page.getByRole('status');
const waitForItem = (page: Page, text: string, timeout = 20_000) =>
  feed(page).locator('li', { hasText: new RegExp(`^${text}$`) }).waitFor({ state: 'attached', timeout });
const waitForState = (page: Page, state: string, timeout = 30_000) =>
  page.locator(`[role="status"][data-state="${state}"]`).waitFor({ state: 'attached', timeout });

/**
 * From `npm install` to a live page in production: the packed tarballs installed with npm into the official
 * Qwik starter with Qwik's node-server adapter, the README's code written in, `npm run build`, and the real
 * production server (`node server/entry.node-server.js`) driven in Chromium.
 */
describe('a Qwik City app from the official starter, built for production from the README', () => {
  let work: string;
  let app: ConsumerApp;
  let port: number;
  let server: ProductionServer | undefined;
  let browser: TestBrowser;
  let other: TestBrowser;
  let lines: { hub: number; route: number; page: number; webSocket: number };
  const block = (file: string, redis = false): ReadmeBlock => {
    const found = app.blocks.find((candidate) => candidate.file === file && /Redis/.test(candidate.note) === redis);
    if (!found) throw new Error(`@qwik-realtime/tests: README has no block for ${file}${redis ? ' (Redis)' : ''}`);
    return found;
  };

  beforeAll(async () => {
    const started = Date.now();
    work = mkdtempSync(join(tmpdir(), 'qwik-realtime-consumer-'));
    const packed = await packAll(work);
    report.tarballBytes = packed.sizes;
    log(`packed ${packed.version}: ${JSON.stringify(packed.sizes)}`);
    app = await createConsumerApp(packed.tarballs, log);
    log(`app in ${app.dir} (${Date.now() - started} ms)`);
    // In a block editing a starter file, the starter's own lines (anchors) are not user code.
    const count = (file: string) => {
      const edits = block(file).body.includes('// ...');
      return codeLines(block(file), edits && existsSync(join(app.dir, file)) ? readFileSync(join(app.dir, file), 'utf8') : '');
    };
    lines = {
      hub: count('src/hub.ts'),
      route: count('src/routes/realtime/[...path]/index.ts'),
      page: count('src/routes/index.tsx'),
      webSocket: count('src/entry.node-server.tsx') + count('vite.config.ts'),
    };
    report.readmeLines = lines;
    for (const file of ['src/hub.ts', 'src/routes/realtime/[...path]/index.ts', 'src/routes/index.tsx', 'src/entry.node-server.tsx', 'vite.config.ts']) {
      app.write(block(file));
    }
    app.writeText('src/routes/below/index.tsx', BELOW_THE_FOLD_PAGE);
    // The starter's full production build: type check, lint, client build, adapter (server) build.
    await app.npmRun('build', 400_000);
    log(`built (${Date.now() - started} ms)`);
    port = await freePort();
    server = await startProductionServer(app.dir, port);
    browser = await launchBrowser({ viewport: { width: 1000, height: 700 } });
    other = await launchBrowser({ viewport: { width: 1000, height: 700 } });
  }, 1_100_000);

  afterAll(async () => {
    log('closing');
    await browser?.close();
    await other?.close();
    log('browsers closed');
    await server?.stop();
    log('server stopped');
    writeFileSync(REPORT, `${JSON.stringify(report, null, 2)}\n`);
    log(`report: ${JSON.stringify(report)}`);
    await app?.remove();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 180_000);

  it('GIVEN the README THEN its quick path is the counted number of lines of user code it states', () => {
    const total = lines.hub + lines.route + lines.page;
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(`**${total} lines** for`);
    expect(readme).toContain(`(steps 2-4: ${lines.hub} + ${lines.route} + ${lines.page}), plus ${lines.webSocket} for WebSocket`);
  });

  it('GIVEN seeded messages WHEN the page is requested THEN the server-rendered HTML has them', async () => {
    for (const text of ['seed-1', 'seed-2', 'seed-3']) await publish(server!.url, text);
    const html = await (await fetch(`${server!.url}/`)).text();
    for (const text of ['seed-1', 'seed-2', 'seed-3']) expect(html).toContain(`>${text}<`);
    expect(html).toMatch(/<ul[^>]*data-topic="news"/);
  });

  it('GIVEN the page in two browsers WHEN one posts the form THEN it goes live over WebSocket and the other shows the post', async () => {
    const sockets: string[] = [];
    const sse: string[] = [];
    const first = await browser.newPage();
    const second = await other.newPage();
    first.page.on('websocket', (socket) => sockets.push(socket.url()));
    first.page.on('request', (request) => {
      if (request.url().includes('/realtime/sse') || request.url().includes('/realtime/poll')) sse.push(request.url());
    });
    await Promise.all([first.page.goto(`${server!.url}/`), second.page.goto(`${server!.url}/`)]);
    await Promise.all([waitForState(first.page, 'live'), waitForState(second.page, 'live')]);
    expect(await status(first.page).textContent()).toContain('Live');
    expect(sockets.filter((url) => new URL(url).pathname === '/realtime/ws')).toHaveLength(1);
    expect(sse).toEqual([]);

    await first.page.getByRole('textbox', { name: 'message' }).fill('from the form');
    await first.page.getByRole('button', { name: 'Post' }).click();
    await waitForItem(second.page, 'from the form');
    await waitForItem(first.page, 'from the form');
    expect(await items(second.page)).toEqual(['from the form', 'seed-3', 'seed-2', 'seed-1']);
    expect([...first.problems, ...second.problems]).toEqual([]);
    await first.close();
    await second.close();
  });

  it('GIVEN a proxy that refuses WebSocket upgrades WHEN the page loads through it THEN it falls back to SSE and stays live', async () => {
    const proxy = await startNoUpgradeProxy(server!.url);
    const tab = await browser.newPage({ ignore: NETWORK_NOISE });
    const streams: string[] = [];
    tab.page.on('request', (request) => {
      if (request.url().includes('/realtime/sse')) streams.push(request.url());
    });
    try {
      await tab.page.goto(`${proxy.url}/`);
      await waitForState(tab.page, 'live');
      expect(proxy.upgradesRefused()).toBeGreaterThanOrEqual(1);
      expect(streams.length).toBeGreaterThanOrEqual(1);
      await publish(server!.url, 'over sse');
      await waitForItem(tab.page, 'over sse');
      expect(tab.problems).toEqual([]);
    } finally {
      await tab.close();
      await proxy.close();
    }
  });

  it('GIVEN the feed below the fold WHEN the page loads THEN no library module runs and nothing connects before it is scrolled into view', async () => {
    const manifest = JSON.parse(readFileSync(join(app.dir, 'dist/q-manifest.json'), 'utf8')) as {
      bundles: Record<string, { origins?: string[] }>;
    };
    const library = new Set(
      Object.entries(manifest.bundles)
        .filter(([, bundle]) => (bundle.origins ?? []).some((origin) => origin.includes('@qwik-realtime/')))
        .map(([name]) => name),
    );
    expect(library.size).toBeGreaterThan(0);
    const bundleOf = (url: string) => new URL(url).pathname.split('/').pop()!;
    const file = (name: string) => readFileSync(join(app.dir, 'dist/build', name));

    const tab = await browser.newPage();
    const scripts: string[] = [];
    const connections: string[] = [];
    let visible = false;
    tab.page.on('requestfinished', async (request) => {
      if (request.url().includes('/realtime/')) connections.push(`${visible ? 'after' : 'before'} ${request.url()}`);
      if (request.resourceType() !== 'script' && !request.url().endsWith('.js')) return;
      if (!visible) scripts.push(bundleOf(request.url()));
    });
    tab.page.on('websocket', (socket) => connections.push(`${visible ? 'after' : 'before'} ${socket.url()}`));
    await tab.page.coverage.startJSCoverage({ resetOnNavigation: false });
    await tab.page.goto(`${server!.url}/below/`, { waitUntil: 'load' });
    await tab.page.waitForLoadState('networkidle');
    // Qwik's preloader fetches in idle time after load: give it a moment of real idleness too.
    await tab.page.evaluate(() => new Promise((resolve) => requestIdleCallback(() => setTimeout(resolve, 500))));
    const executedBefore = (await tab.page.coverage.stopJSCoverage())
      .filter((entry) => entry.functions.some((fn) => fn.ranges.some((range) => range.count > 0)))
      .map((entry) => bundleOf(entry.url));
    const before = [...scripts];
    expect(connections).toEqual([]);
    expect(await feed(tab.page).getAttribute('data-state')).toBe('connecting');
    expect(executedBefore.filter((name) => library.has(name))).toEqual([]);

    // Sizes of the files served (the node-server adapter serves them uncompressed); gzip for comparison.
    const bytes = (names: string[]) => names.reduce((sum, name) => sum + file(name).length, 0);
    const gzipBytes = (names: string[]) => names.reduce((sum, name) => sum + gzipSync(file(name)).length, 0);
    const fetched = before.filter((name) => name.startsWith('q-'));
    const preloaded = fetched.filter((name) => library.has(name));
    report.beforeVisible = {
      scripts: fetched.map((name) => `${name} ${file(name).length} B${library.has(name) ? ' (library)' : ''}`),
      scriptBytes: bytes(fetched),
      scriptGzipBytes: gzipBytes(fetched),
      libraryBundles: `${preloaded.length} of ${library.size}`,
      libraryBytes: bytes(preloaded),
      libraryGzipBytes: gzipBytes(preloaded),
    };
    log(`before visible: ${JSON.stringify(report.beforeVisible)}`);

    await tab.page.coverage.startJSCoverage({ resetOnNavigation: false });
    const scrolled = Date.now();
    visible = true;
    await feed(tab.page).scrollIntoViewIfNeeded();
    await waitForState(tab.page, 'live');
    report.msFromScrollToLive = Date.now() - scrolled;
    const executedAfter = (await tab.page.coverage.stopJSCoverage())
      .filter((entry) => entry.functions.some((fn) => fn.ranges.some((range) => range.count > 0)))
      .map((entry) => bundleOf(entry.url));
    // The check above can fail: once visible, library modules do run and the feed connects.
    expect(executedAfter.filter((name) => library.has(name)).length).toBeGreaterThan(0);
    expect(connections.some((line) => line.startsWith('after') && line.includes('/realtime/ws'))).toBe(true);
    expect(tab.problems).toEqual([]);
    await tab.close();
  });

  it('GIVEN a live page WHEN the server process is killed and restarted THEN it shows reconnecting, then live, with recovered=false (memory broker)', async () => {
    const tab = await browser.newPage({ ignore: NETWORK_NOISE });
    await tab.page.goto(`${server!.url}/`);
    await waitForState(tab.page, 'live');
    expect(await feed(tab.page).getAttribute('data-recovered')).toBe('true');
    await server!.kill();
    await waitForState(tab.page, 'reconnecting');
    server = await startProductionServer(app.dir, port);
    await waitForState(tab.page, 'live');
    await feed(tab.page).and(tab.page.locator('[data-recovered="false"]')).waitFor({ state: 'attached', timeout: 10_000 });
    await publish(server.url, 'after restart');
    await waitForItem(tab.page, 'after restart');
    expect(tab.problems).toEqual([]);
    await tab.close();
  });

  describe('on Redis (the README\'s Redis hub), two instances', () => {
    let second: ProductionServer | undefined;
    let redisPage: TrackedPage;

    beforeAll(async () => {
      await server?.stop();
      server = undefined;
      const redis = createClient({ url: 'redis://127.0.0.1:6379' });
      await redis.connect();
      for await (const keys of redis.scanIterator({ MATCH: 'qr:{news}*', COUNT: 100 })) if (keys.length > 0) await redis.del(keys);
      await redis.close();
      app.write(block('src/hub.ts', true));
      // Only the server side changed: type check it, then the adapter build (which rebuilds the client if needed).
      await app.npmRun('build.types', 300_000);
      await app.npmRun('build.server', 300_000);
      server = await startProductionServer(app.dir, port);
      second = await startProductionServer(app.dir, await freePort());
    }, 600_000);

    afterAll(async () => {
      await redisPage?.close();
      await second?.stop();
    }, 30_000);

    it('GIVEN a live page on instance A WHEN A is killed, B publishes, and A restarts THEN the page gets every message once, recovered', async () => {
      await publish(server!.url, 'r1');
      redisPage = await browser.newPage({ ignore: NETWORK_NOISE });
      await redisPage.page.goto(`${server!.url}/`);
      await waitForState(redisPage.page, 'live');
      await publish(second!.url, 'r2');
      await waitForItem(redisPage.page, 'r2');
      await server!.kill();
      await waitForState(redisPage.page, 'reconnecting');
      await publish(second!.url, 'r3');
      await publish(second!.url, 'r4');
      server = await startProductionServer(app.dir, port);
      await waitForState(redisPage.page, 'live');
      await waitForItem(redisPage.page, 'r4');
      expect(await items(redisPage.page)).toEqual(['r4', 'r3', 'r2', 'r1']);
      expect(await feed(redisPage.page).getAttribute('data-recovered')).toBe('true');
      expect(redisPage.problems).toEqual([]);
    });
  });
});
