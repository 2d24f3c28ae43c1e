import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchBrowser, type TestBrowser, type TrackedPage } from './helpers/browser';
import { highRate } from './helpers/high-rate-driver';
import { startQwikApp, type QwikApp } from './qwik-app';

/**
 * The worker host (`<RealtimeProvider host={workerHost}>`): one SharedWorker per browser profile holds the
 * connection for every tab. The hub's own counts (`hub.stats()`) are the witness.
 */
describe('worker host: one connection per browser (tests/qwik-app /high-rate/?host=worker)', () => {
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

  const connections = async () => {
    const { connections: counts } = await app.stats();
    return counts.ws + counts.sse + counts.poll;
  };
  const subscribers = async (topic: string) => (await app.stats()).topics[topic] ?? 0;
  const open = async (topic: string): Promise<TrackedPage> => {
    const tab = await browser.newPage();
    await highRate(app, tab.page).open({ topic, transport: 'websocket', host: 'worker' });
    return tab;
  };
  const shows = (tab: TrackedPage, seq: number) =>
    vi.waitFor(async () => expect(await highRate(app, tab.page).newestShown()).toBe(seq), { timeout: 10_000, interval: 100 });

  it('GIVEN two pages of one browser on the same topic WHEN both are live THEN the hub sees one connection and both pages get every message', async () => {
    const topic = 'worker-shared';
    const first = await open(topic);
    const second = await open(topic);
    expect(await connections()).toBe(1);
    expect(await subscribers(topic)).toBe(1);
    await app.publish(topic, { seq: 1, t: Date.now() });
    await shows(first, 1);
    await shows(second, 1);

    // WHEN one page closes normally THEN the other stays live on the same connection.
    await first.close();
    await app.publish(topic, { seq: 2, t: Date.now() });
    await shows(second, 2);
    expect(await connections()).toBe(1);
    expect(second.problems).toEqual([]);

    // WHEN the last page closes THEN the session ends after the teardown delay (1 s) and the client's linger (1 s).
    await second.close();
    await vi.waitFor(async () => expect(await connections()).toBe(0), { timeout: 5000, interval: 100 });
    expect(first.problems).toEqual([]);
  });

  it('GIVEN two pages on different topics WHEN one crashes THEN the host releases its topic after missed pings and the other page stays live', async () => {
    const survivor = await open('worker-survivor');
    const doomed = await open('worker-doomed');
    expect(await connections()).toBe(1);
    expect(await subscribers('worker-doomed')).toBe(1);
    // Crash the page's renderer: no pagehide, no unload, the port just goes silent.
    const cdp = await browser.context.newCDPSession(doomed.page);
    const crashed = new Promise((resolve) => doomed.page.once('crash', resolve));
    // The command never answers: its renderer is gone.
    void cdp.send('Page.crash').catch(() => undefined);
    await crashed;
    // Three missed 1 s pings, then the core client's 1 s teardown delay.
    await vi.waitFor(async () => expect(await subscribers('worker-doomed')).toBe(0), { timeout: 10_000, interval: 200 });
    expect(await connections()).toBe(1);
    await app.publish('worker-survivor', { seq: 7, t: Date.now() });
    await shows(survivor, 7);
    expect(survivor.problems).toEqual([]);
    await survivor.close();
  });
});
