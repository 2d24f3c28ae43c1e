import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchBrowser, type TestBrowser } from './helpers/browser';
import { highRate } from './helpers/high-rate-driver';
import { startQwikApp, type QwikApp } from './qwik-app';

const TRANSPORTS = ['websocket', 'sse', 'fetch-sse', 'long-poll'] as const;
const RATE = 10_000;
const MS = 3000;
const TOTAL = (RATE * MS) / 1000;

describe('high-rate feeds in Chromium (tests/qwik-app /high-rate/, hub publishing at a fixed rate)', () => {
  let app: QwikApp;
  let browser: TestBrowser;

  beforeAll(async () => {
    // The production build (vite build + preview), as an app from the starter would ship it.
    app = await startQwikApp({ mode: 'preview' });
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  }, 30_000);

  describe.each(['main', 'worker'] as const)('host %s', (host) => {
    it.each(TRANSPORTS)(
      `GIVEN a LiveFeed over %s WHEN the hub publishes ${RATE} msg/s for ${MS / 1000} s THEN useSubscription$ gets every message once, in order, and the feed ends with the newest`,
      async (transport) => {
        const topic = `hr-${host}-${transport}`;
        const tab = await browser.newPage();
        const driver = highRate(app, tab.page);
        await driver.open({ topic, transport, host });
        const { published } = await driver.burst({ topic, rate: RATE, ms: MS });
        expect(published).toBe(TOTAL);
        await vi.waitFor(async () => expect((await driver.probe()).last).toBe(TOTAL), { timeout: 30_000, interval: 200 });
        const probe = await driver.probe();
        expect({ count: probe.count, duplicates: probe.duplicates, gaps: probe.gaps, recovered: await driver.recovered() }).toEqual({
          count: TOTAL,
          duplicates: 0,
          gaps: 0,
          recovered: 'true',
        });
        await vi.waitFor(async () => expect(await driver.newestShown()).toBe(TOTAL), { timeout: 10_000, interval: 100 });
        expect(tab.problems).toEqual([]);
        await tab.close();
      },
      90_000,
    );
  });
});
