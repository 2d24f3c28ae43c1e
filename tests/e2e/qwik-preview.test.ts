import type { Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchBrowser, type TestBrowser, type TrackedPage } from './helpers/browser';
import { startQwikApp, type QwikApp } from './qwik-app';

const TOPIC = 'e2e-feed';

/**
 * The production build of tests/qwik-app (`vite build` + the SSR build) under `vite preview`: catches the
 * packaging traps a dev server forgives (a missing `"qwik"` field renders an empty <body> with no error).
 */
describe('Qwik bindings in a production build (vite preview, hub mounted by the Vite plugin)', () => {
  let app: QwikApp;
  let browser: TestBrowser;
  let tab: TrackedPage;
  const requests: string[] = [];

  beforeAll(async () => {
    app = await startQwikApp({ mode: 'preview' });
    browser = await launchBrowser({ viewport: { width: 1000, height: 700 } });
    tab = await browser.newPage();
    tab.page.on('request', (request: Request) => requests.push(request.url()));
    tab.page.on('response', (response) => {
      if (response.status() >= 400) tab.problems.push(`HTTP ${response.status()}: ${response.url()}`);
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  }, 30_000);

  const items = () => tab.page.locator('ul[aria-label="feed"] li').allTextContents();
  const totalConnections = async () => {
    const { connections } = await app.stats();
    return connections.ws + connections.sse + connections.poll;
  };

  it('GIVEN the built app WHEN a page with a feed below the fold loads THEN it is server-rendered with its seed and the feed connects only when scrolled to', async () => {
    for (const text of ['p1', 'p2', 'p3']) await app.publish(TOPIC, text);
    await tab.page.goto(`${app.url}/`, { waitUntil: 'load' });
    await tab.page.waitForLoadState('networkidle');
    expect(await tab.page.locator('h1').textContent()).toBe('Live feed below the fold');
    expect(await items()).toEqual(['p1', 'p2', 'p3']);
    const feed = tab.page.locator('ul[aria-label="feed"]');
    // Qwik's production preloader may fetch the visible task's chunk in idle time (the dev-server test
    // checks that no library module is requested); what must not happen is running it: no connection.
    expect(await feed.getAttribute('on:qvisible')).toMatch(/\.js#/);
    expect(await feed.getAttribute('data-state')).toBe('connecting');
    expect(requests.filter((url) => url.includes('/realtime/'))).toEqual([]);
    expect(await totalConnections()).toBe(0);

    await feed.scrollIntoViewIfNeeded();
    await vi.waitFor(async () => expect(await totalConnections()).toBe(1), { timeout: 15_000, interval: 100 });
    await app.publish(TOPIC, 'p4');
    await vi.waitFor(async () => expect(await items()).toEqual(['p1', 'p2', 'p3', 'p4']), { timeout: 10_000, interval: 100 });
    expect(await tab.page.getByRole('status').textContent()).toBe('Live');
    expect(tab.problems).toEqual([]);
  });

  it('GIVEN a live feed WHEN the user navigates away client-side THEN the connection is closed', async () => {
    await tab.page.getByRole('link', { name: 'other' }).click();
    await tab.page.locator('#other').waitFor({ timeout: 10_000 });
    await vi.waitFor(async () => expect(await totalConnections()).toBe(0), { timeout: 15_000, interval: 100 });
    expect(tab.problems).toEqual([]);
  });
});
