import { afterAll, beforeAll } from 'vitest';
import { launchBrowser } from './browser';
import type { TestBrowser, TrackedPage } from './browser';
import { controlClient, startStorybookServer, storyUrl } from './stand-in';
import type { StandInServer } from '../../../stories/stand-in-broker/server';

/**
 * Console errors the browser itself logs for network failures that a test injects on purpose (a refused
 * upgrade, a 401, a server that is "down"). Only tests that inject such faults pass these.
 */
export const INJECTED_NETWORK_ERRORS = [
  /^Failed to load resource: the server responded with a status of (401|503)/,
  /^WebSocket connection to '.*' failed/,
  /^Failed to load resource: net::ERR_(INCOMPLETE_CHUNKED_ENCODING|EMPTY_RESPONSE|CONNECTION_REFUSED|CONNECTION_RESET)/,
];

/** Heartbeat of the stand-in under test: short, so heartbeat loss is detected within seconds. */
export const TEST_HEARTBEAT_MS = 2000;

/**
 * One stand-in broker beside the static Storybook build and one Chromium for a test file, both closed in
 * `afterAll`. `open(storyId)` loads a story alone (the preview iframe) and waits until Qwik rendered it.
 */
export function useStorySession() {
  let server: StandInServer | undefined;
  let browser: TestBrowser | undefined;
  const pages: TrackedPage[] = [];

  beforeAll(async () => {
    server = await startStorybookServer({ heartbeatMs: TEST_HEARTBEAT_MS });
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  }, 30_000);

  const session = {
    get url(): string {
      if (!server) throw new Error('story session not started');
      return server.url;
    },
    get control() {
      return controlClient(session.url);
    },
    /** Load a story (or a docs page); resolves once it has content. */
    async open(
      id: string,
      options: { args?: Record<string, string | number | boolean>; ignore?: RegExp[]; viewMode?: 'story' | 'docs' } = {},
    ): Promise<TrackedPage> {
      if (!browser) throw new Error('story session not started');
      const tracked = await browser.newPage(options.ignore ? { ignore: options.ignore } : {});
      pages.push(tracked);
      await tracked.page.goto(storyUrl(session.url, id, options.args, options.viewMode));
      const rendered = options.viewMode === 'docs' ? '#storybook-docs h1' : '#storybook-root > div > *';
      await tracked.page.locator(rendered).first().waitFor({ timeout: 30_000 });
      return tracked;
    },
    /** Close every page opened so far and wait until the server has no connection left. */
    async closePages(): Promise<void> {
      for (const tracked of pages.splice(0)) await tracked.close();
      const deadline = Date.now() + 15_000;
      while ((await session.control.stats()).connections.total > 0) {
        if (Date.now() > deadline) throw new Error('connections still open 15 s after closing the pages');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await session.control.post('reset');
    },
  };
  return session;
}
