import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './helpers/browser';
import type { TestBrowser } from './helpers/browser';
import { connectionStatus } from './helpers/connection-status-driver';
import { contiguous, liveFeed } from './helpers/live-feed-driver';
import { storyUrl } from './helpers/stand-in';

const STORIES = fileURLToPath(new URL('../../stories', import.meta.url));

/** A port nobody listens on right now (Storybook's CLI takes a number, not 0). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * `pnpm storybook` as a newcomer runs it: the dev server (not the static build the other story tests use),
 * which serves the stories from the packages' sources through Vite and mounts the stand-in broker behind
 * Storybook's own middleware, a gzip one included.
 */
describe('pnpm storybook (the dev server)', () => {
  let child: ChildProcess | undefined;
  let browser: TestBrowser | undefined;
  let base = '';
  let output = '';

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['--import', 'tsx', 'node_modules/storybook/bin/index.cjs', 'dev', '-p', String(port), '--ci', '--no-version-updates'], {
      cwd: STORIES,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk));
    const deadline = Date.now() + 150_000;
    for (;;) {
      const up = await fetch(`${base}/realtime-control/stats`).then((response) => response.ok, () => false);
      if (up) break;
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`storybook dev did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (child?.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
  }, 30_000);

  it.each([
    ['components-livefeed--server-sent-events', 'sse'],
    ['components-livefeed--fetch-sse', 'fetch-sse'],
  ])('GIVEN %s served by storybook dev WHEN it opens THEN the stream is not held back by the dev server (it goes live with contiguous items)', async (id, transport) => {
    if (!browser) throw new Error('browser not started');
    // The console line of a failed request carries no URL: keep the URLs, and judge them instead.
    const { page, problems } = await browser.newPage({ ignore: [/^Failed to load resource: the server responded with a status of 404/] });
    const failed: string[] = [];
    page.on('response', (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${new URL(response.url()).pathname}`);
    });
    await page.goto(storyUrl(base, id), { timeout: 150_000 });
    await connectionStatus(page).waitFor('live', 150_000);
    const feed = liveFeed(page, 'prices:BTC ticks');
    await feed.waitForItems(3, 30_000);
    expect(await page.locator('[data-transport]').getAttribute('data-transport')).toBe(transport);
    expect(contiguous(await feed.offsets())).toBe(true);
    expect(problems).toEqual([]);
    expect(failed).toEqual([]);
    expect(output).not.toMatch(/ENOENT|Failed to resolve import|Internal server error/);
  }, 240_000);
});
