import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchBrowser, type TestBrowser, type TrackedPage } from './helpers/browser';
import { startQwikApp, type QwikApp } from './qwik-app';

const WAIT = { timeout: 15_000, interval: 100 };

/** Every item is one of `allowed`, in that order, and none is there twice. */
function onlyOnce(items: string[], allowed: string[]): boolean {
  const positions = items.map((item) => allowed.indexOf(item));
  return positions.every((position, index) => position >= 0 && (index === 0 || position > positions[index - 1]!));
}

/** tests/qwik-app's /topics/ page under vite dev: reactive options, per-topic state, one connection. */
describe('Qwik bindings in Chromium: topics that change, pause and are refused', () => {
  let app: QwikApp;
  let browser: TestBrowser;
  let tab: TrackedPage;

  beforeAll(async () => {
    app = await startQwikApp();
    browser = await launchBrowser({ viewport: { width: 1000, height: 2000 } });
    tab = await browser.newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  }, 30_000);

  const picked = () => tab.page.locator('ul[aria-label="picked"] li').allTextContents();
  const channel = () => tab.page.locator('#channel li').allTextContents();
  const seen = async () => (await tab.page.locator('#seen').textContent()) ?? '';
  const connections = async () => {
    const { connections: c } = await app.stats();
    return c.ws + c.sse + c.poll;
  };
  const subscribers = async (topic: string) => (await app.stats()).topics[topic] ?? 0;
  /**
   * Every hook on the page follows the current topic. The hub counts one subscriber per connection, so it
   * cannot tell: a hook whose handler is still loading would subscribe after a publish and start at the head.
   */
  const allLive = () =>
    vi.waitFor(async () => {
      expect(await tab.page.locator('#seen').getAttribute('data-topic-state')).toBe('live');
      expect(await tab.page.locator('#channel').getAttribute('data-topic-state')).toBe('live');
    }, WAIT);

  it('GIVEN the page WHEN it loads THEN every component is live over one WebSocket', async () => {
    await tab.page.goto(`${app.url}/topics/`, { waitUntil: 'load' });
    await vi.waitFor(async () => expect(await subscribers('e2e-a')).toBeGreaterThan(0), WAIT);
    await vi.waitFor(async () => expect(await subscribers('e2e-open')).toBeGreaterThan(0), WAIT);
    expect((await app.stats()).connections).toMatchObject({ ws: 1, sse: 0, poll: 0 });
    await allLive();
    await app.publish('e2e-a', 'a1');
    await vi.waitFor(async () => expect(await picked()).toEqual(['a1']), WAIT);
    await vi.waitFor(async () => expect(await channel()).toEqual(['e2e-a:a1']), WAIT);
    await vi.waitFor(async () => expect(await seen()).toBe('e2e-a:a1'), WAIT);
    expect(tab.problems).toEqual([]);
  });

  it('GIVEN topic a WHEN it goes a -> b -> a THEN each hook shows only the current topic, no duplicates, one connection throughout', async () => {
    await tab.page.click('#next');
    // The click's handler is fetched on demand: wait for the re-render; the list it rendered must not hold a's items.
    await vi.waitFor(async () => expect(await tab.page.locator('ul[aria-label="picked"]').getAttribute('data-topic')).toBe('e2e-b'), WAIT);
    expect(await picked()).toEqual([]);
    await vi.waitFor(async () => expect(await subscribers('e2e-b')).toBeGreaterThan(0), WAIT);
    await vi.waitFor(async () => expect(await subscribers('e2e-a')).toBe(0), WAIT);
    await allLive();
    await app.publish('e2e-a', 'a2');
    await app.publish('e2e-b', 'b1');
    await vi.waitFor(async () => expect(await picked()).toEqual(['b1']), WAIT);
    await vi.waitFor(async () => expect(await channel()).toEqual(['e2e-b:b1']), WAIT);
    await vi.waitFor(async () => expect(await seen()).toBe('e2e-a:a1,e2e-b:b1'), WAIT);

    await tab.page.click('#next');
    await vi.waitFor(async () => expect(await subscribers('e2e-a')).toBeGreaterThan(0), WAIT);
    await vi.waitFor(async () => expect(await subscribers('e2e-b')).toBe(0), WAIT);
    await allLive();
    await app.publish('e2e-a', 'a3');
    // Back on a: a3 arrives once. a2 (published while on b) is replayed only if the client still held a's
    // position (within its teardown delay), so it may or may not be there — but never twice, never b's.
    await vi.waitFor(async () => expect((await picked()).at(-1)).toBe('a3'), WAIT);
    expect(onlyOnce(await picked(), ['a2', 'a3'])).toBe(true);
    await vi.waitFor(async () => expect((await channel()).at(-1)).toBe('e2e-a:a3'), WAIT);
    expect(onlyOnce(await channel(), ['e2e-a:a2', 'e2e-a:a3'])).toBe(true);
    await vi.waitFor(async () => expect((await seen()).endsWith('e2e-a:a3')).toBe(true), WAIT);
    expect((await seen()).startsWith('e2e-a:a1,e2e-b:b1,')).toBe(true);
    expect(onlyOnce((await seen()).split(',').slice(2), ['e2e-a:a2', 'e2e-a:a3'])).toBe(true);
    expect(await connections()).toBe(1);
    expect(tab.problems).toEqual([]);
  });

  it('GIVEN live hooks WHEN enabled goes false and back THEN the topic is let go and followed again', async () => {
    await tab.page.click('#toggle');
    await vi.waitFor(async () => expect(await subscribers('e2e-a')).toBe(0), WAIT);
    await vi.waitFor(async () => expect(await tab.page.locator('ul[aria-label="picked"]').getAttribute('data-state')).toBe('idle'), WAIT);
    await tab.page.click('#toggle');
    await vi.waitFor(async () => expect(await subscribers('e2e-a')).toBeGreaterThan(0), WAIT);
    await allLive();
    await app.publish('e2e-a', 'a4');
    await vi.waitFor(async () => expect((await picked()).at(-1)).toBe('a4'), WAIT);
    expect(onlyOnce(await picked(), ['a2', 'a3', 'a4'])).toBe(true);
    expect(await connections()).toBe(1);
    expect(tab.problems).toEqual([]);
  });

  it('GIVEN a topic the hub refuses WHEN the page is live THEN its feed and badge show the error while other topics stay live', async () => {
    const secret = tab.page.locator('ul[aria-label="secret"]');
    await vi.waitFor(async () => expect(await secret.getAttribute('data-state')).toBe('error'), WAIT);
    expect(await secret.getByRole('alert').textContent()).toMatch(/Sign in to see this\.$/);
    const badge = tab.page.locator('[role="status"][data-topic="e2e-secret"]');
    expect(await badge.getAttribute('data-state')).toBe('error');
    expect(await badge.textContent()).toMatch(/^Error: /);
    await app.publish('e2e-open', 'still live');
    await vi.waitFor(async () => expect(await tab.page.locator('ul[aria-label="open"] li').allTextContents()).toEqual(['still live']), WAIT);
    expect(await tab.page.locator('ul[aria-label="open"]').getAttribute('data-state')).toBe('live');
    expect(await connections()).toBe(1);
    expect(tab.problems).toEqual([]);
  });
});
