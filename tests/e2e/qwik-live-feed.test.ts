import type { Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchBrowser, type TestBrowser, type TrackedPage } from './helpers/browser';
import { startQwikApp, type QwikApp } from './qwik-app';

const TOPIC = 'e2e-feed';
/** Modules of the library and the core client, as vite dev serves them from the packages' builds. */
const LIBRARY_CODE = /\/packages\/(qwik\/lib|core\/dist)\//;

describe('Qwik bindings in Chromium (tests/qwik-app under vite dev, hub mounted by the Vite plugin)', () => {
  let app: QwikApp;
  let browser: TestBrowser;
  let tab: TrackedPage;
  const requests: string[] = [];

  beforeAll(async () => {
    app = await startQwikApp();
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

  it('GIVEN a LiveFeed below the fold WHEN the page loads THEN it shows the SSR seed, loads no library code and opens no connection', async () => {
    for (const text of ['s1', 's2', 's3', 's4']) await app.publish(TOPIC, text);
    await tab.page.goto(`${app.url}/`, { waitUntil: 'load' });
    await tab.page.waitForLoadState('networkidle');
    expect(await items()).toEqual(['s2', 's3', 's4']);
    const feed = tab.page.locator('ul[aria-label="feed"]');
    expect(await feed.getAttribute('data-state')).toBe('connecting');
    expect(await feed.isVisible()).toBe(true);
    expect(await feed.evaluate((element) => element.getBoundingClientRect().top > window.innerHeight)).toBe(true);
    expect(requests.filter((url) => LIBRARY_CODE.test(url))).toEqual([]);
    expect(requests.filter((url) => url.includes('/realtime/'))).toEqual([]);
    expect(await totalConnections()).toBe(0);
    expect(tab.problems).toEqual([]);
  });

  it('GIVEN a message published while the feed was off screen WHEN it scrolls into view THEN it connects and continues from the seed with no gap and no duplicate', async () => {
    await app.publish(TOPIC, 's5');
    await tab.page.locator('ul[aria-label="feed"]').scrollIntoViewIfNeeded();
    await vi.waitFor(async () => expect(await totalConnections()).toBe(1), { timeout: 15_000, interval: 100 });
    expect(requests.some((url) => LIBRARY_CODE.test(url))).toBe(true);
    await vi.waitFor(async () => expect(await items()).toEqual(['s2', 's3', 's4', 's5']), { timeout: 10_000, interval: 100 });
    await app.publish(TOPIC, 's6');
    await vi.waitFor(async () => expect(await items()).toEqual(['s2', 's3', 's4', 's5', 's6']), { timeout: 10_000, interval: 100 });
    expect(await tab.page.locator('ul[aria-label="feed"]').getAttribute('data-state')).toBe('live');
    expect(await tab.page.getByRole('status').textContent()).toBe('Live');
    expect(tab.problems).toEqual([]);
  });

  it('GIVEN the routeAction$ helper WHEN the form is submitted THEN the message goes through the hub into the live feed (bounded to 5)', async () => {
    await tab.page.getByLabel('message').fill('<img src=x onerror=alert(1)>');
    await tab.page.getByRole('button', { name: 'post' }).click();
    await vi.waitFor(async () => expect(await items()).toEqual(['s3', 's4', 's5', 's6', '<img src=x onerror=alert(1)>']), {
      timeout: 10_000,
      interval: 100,
    });
    expect(await tab.page.locator('ul[aria-label="feed"] img').count()).toBe(0);
    expect(tab.problems).toEqual([]);
  });

  it('GIVEN server$ code WHEN it publishes through the hub THEN the live feed shows it', async () => {
    await tab.page.getByRole('button', { name: 'shout' }).click();
    await vi.waitFor(async () => expect((await items()).at(-1)).toBe('VIA SERVER$'), { timeout: 10_000, interval: 100 });
    expect(await items()).toHaveLength(5);
    expect(tab.problems).toEqual([]);
  });

  it('GIVEN a burst of 300 messages WHEN they arrive THEN the list never holds more than its limit and ends with the newest, in order', async () => {
    await tab.page.evaluate(() => {
      const list = document.querySelector('ul[aria-label="feed"]')!;
      const record = window as unknown as { maxItems: number };
      record.maxItems = list.children.length;
      new MutationObserver(() => {
        record.maxItems = Math.max(record.maxItems, list.querySelectorAll('li').length);
      }).observe(list, { childList: true, subtree: true });
    });
    await tab.page.getByRole('button', { name: 'burst' }).click();
    await vi.waitFor(async () => expect(await items()).toEqual(['b296', 'b297', 'b298', 'b299', 'b300']), {
      timeout: 30_000,
      interval: 100,
    });
    expect(await tab.page.evaluate(() => (window as unknown as { maxItems: number }).maxItems)).toBe(5);
    expect(tab.problems).toEqual([]);
  });

  it('GIVEN a live feed WHEN the user navigates to another page client-side THEN the connection is closed', async () => {
    await tab.page.getByRole('link', { name: 'other' }).click();
    await tab.page.locator('#other').waitFor({ timeout: 10_000 });
    await vi.waitFor(async () => expect(await totalConnections()).toBe(0), { timeout: 15_000, interval: 100 });
    expect((await app.stats()).topics[TOPIC] ?? 0).toBe(0);
    expect(tab.problems).toEqual([]);
  });

  it('GIVEN strategy "document-ready" WHEN a feed below the fold loads THEN it connects without being scrolled to, with history', async () => {
    for (const text of ['e1', 'e2', 'e3']) await app.publish('e2e-eager', text);
    await tab.page.goto(`${app.url}/eager/`, { waitUntil: 'load' });
    const feed = tab.page.locator('ul[aria-label="eager feed"]');
    expect(await feed.evaluate((element) => element.getBoundingClientRect().top > window.innerHeight)).toBe(true);
    await vi.waitFor(async () => expect(await totalConnections()).toBe(1), { timeout: 15_000, interval: 100 });
    await vi.waitFor(async () => expect(await feed.locator('li').allTextContents()).toEqual(['e3', 'e2']), { timeout: 10_000, interval: 100 });
    expect(tab.problems).toEqual([]);
  });
});
