import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, ConsoleMessage, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './helpers/browser';
import { startStorybookServer, storyUrl } from './helpers/stand-in';
import { TEST_HEARTBEAT_MS } from './helpers/story-session';
import type { StandInServer } from '../../stories/stand-in-broker/server';

const STORIES = [
  ['default chain (WebSocket)', 'patterns-presence-with-presencelist--two-users'],
  ['SSE (EventSource + POST /presence)', 'patterns-presence-with-presencelist--over-sse'],
  ['long-poll', 'patterns-presence-with-presencelist--over-long-poll'],
] as const;
/** The core client's default grace on top of the announced heartbeat. */
const CLIENT_HEARTBEAT_GRACE_MS = 5000;

let server: StandInServer;
let browser: Browser;
beforeAll(async () => {
  server = await startStorybookServer({ heartbeatMs: TEST_HEARTBEAT_MS });
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
}, 30_000);

/** A fresh browser context (own cookies, own connection) showing one user's window of the story. */
async function openAs(story: string, user: 'alice' | 'bob'): Promise<{ context: BrowserContext; page: Page; problems: string[]; list: ReturnType<Page['locator']> }> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') problems.push(`console.error: ${message.text()}`);
  });
  await page.goto(storyUrl(server.url, story, { only: user }));
  const list = page.locator(`ul[aria-label="Who is here, as ${user} sees it"]`);
  await list.waitFor({ timeout: 30_000 });
  return { context, page, problems, list };
}

const names = (list: ReturnType<Page['locator']>) => list.locator('li').evaluateAll((items) => items.map((item) => item.textContent ?? ''));

describe('Presence with PresenceList (two browser contexts)', () => {
  it.each(STORIES)('%s: GIVEN alice and bob in two contexts WHEN bob sets away and then closes his context THEN alice sees the change and the leave within the heartbeat grace', async (_name, story) => {
    const alice = await openAs(story, 'alice');
    const bob = await openAs(story, 'bob');
    await expect.poll(() => names(alice.list), { timeout: 20_000 }).toEqual(['alice (you)', 'bob']);
    await expect.poll(() => names(bob.list), { timeout: 20_000 }).toEqual(['alice', 'bob (you)']);
    expect(await alice.list.getAttribute('data-state')).toBe('joined');
    expect(await alice.list.getAttribute('data-count')).toBe('2');

    await bob.page.getByRole('button', { name: 'Set away' }).click();
    await expect.poll(() => names(alice.list), { timeout: 10_000 }).toEqual(['alice (you)', 'bob — away']);

    await bob.context.close();
    // The closed context's connection ends; the hub removes its member and tells alice.
    await expect.poll(() => names(alice.list), { timeout: TEST_HEARTBEAT_MS + CLIENT_HEARTBEAT_GRACE_MS }).toEqual(['alice (you)']);
    expect(await alice.list.getAttribute('data-count')).toBe('1');
    expect(alice.problems).toEqual([]);
    expect(bob.problems).toEqual([]);
    await alice.context.close();
  });
});
