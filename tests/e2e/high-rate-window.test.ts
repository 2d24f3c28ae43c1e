import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchBrowser, type TestBrowser } from './helpers/browser';
import { highRate } from './helpers/high-rate-driver';
import { startQwikApp, type QwikApp } from './qwik-app';

/** What the page's ports received from the connection host (counted by an init script, before any app code). */
interface PortCount {
  batches: number;
  messages: number;
  /** The most messages one batch carried for one subscription. */
  largest: number;
}

const TOTAL = 50_000;
const LIMIT = 50;

describe('worker host: a LiveFeed asks for its last N (tests/qwik-app /high-rate/feed-only/)', () => {
  let app: QwikApp;
  let browser: TestBrowser;

  beforeAll(async () => {
    app = await startQwikApp({ mode: 'preview' });
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  }, 30_000);

  it(`GIVEN a LiveFeed limit=${LIMIT} under the worker host WHEN the hub publishes a burst of ${TOTAL} THEN the tab receives at most ${LIMIT} per batch and a small fraction in all, and shows the newest`, async () => {
    const topic = 'hr-window';
    const tab = await browser.newPage();
    await tab.page.addInitScript(() => {
      const count = { batches: 0, messages: 0, largest: 0 };
      (window as unknown as { __port: typeof count }).__port = count;
      const add = MessagePort.prototype.addEventListener;
      MessagePort.prototype.addEventListener = function (this: MessagePort, type: string, listener: unknown, options?: unknown) {
        if (type !== 'message' || typeof listener !== 'function') return add.call(this, type, listener as EventListener, options as boolean);
        const counting = function (this: MessagePort, event: MessageEvent) {
          const data = event.data as { type?: string; items?: { kind: string; messages?: unknown[] }[] };
          if (data?.type === 'batch') {
            count.batches++;
            for (const item of data.items ?? []) {
              if (item.kind !== 'messages') continue;
              count.messages += item.messages!.length;
              count.largest = Math.max(count.largest, item.messages!.length);
            }
          }
          return (listener as (event: MessageEvent) => void).call(this, event);
        };
        return add.call(this, type, counting as EventListener, options as boolean);
      };
    });
    await tab.page.goto(`${app.url}/high-rate/feed-only/?topic=${topic}`, { waitUntil: 'load' });
    await tab.page.locator('ul[aria-label="high-rate feed"][data-state="live"]').waitFor({ state: 'attached', timeout: 20_000 });
    const driver = highRate(app, tab.page);
    const { published } = await driver.burst({ topic, rate: 25_000, ms: 2000 });
    expect(published).toBe(TOTAL);
    await vi.waitFor(async () => expect(await driver.newestShown()).toBe(TOTAL), { timeout: 30_000, interval: 200 });
    const count = await tab.page.evaluate(() => (window as unknown as { __port: PortCount }).__port);
    expect(count.batches).toBeGreaterThan(0);
    expect(count.largest).toBeLessThanOrEqual(LIMIT);
    // One batch per animation frame at most: a few seconds of frames, never the 50,000 published.
    expect(count.messages).toBeLessThan(TOTAL / 4);
    expect(await tab.page.locator('ul[aria-label="high-rate feed"] li').count()).toBe(LIMIT);
    expect(tab.problems).toEqual([]);
    await tab.close();
  }, 90_000);
});
