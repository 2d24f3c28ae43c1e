import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, ConsoleMessage, Page } from 'playwright-core';

/** Debian's Chromium; override with `CHROMIUM_PATH`. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Flags for headless Chromium on a machine without network: the background-networking ones stop it from
 * flooding the closed network with refused connections.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A launched browser with a throwaway profile. */
export interface TestBrowser {
  readonly context: BrowserContext;
  /**
   * Open a page that records every `pageerror` and `console.error` (see {@link TrackedPage.problems}).
   * `ignore` filters known-harmless console errors by text.
   */
  newPage(options?: { ignore?: RegExp[] }): Promise<TrackedPage>;
  /** Close the browser and delete its profile. Safe to call twice. */
  close(): Promise<void>;
}

/** A page plus the errors it produced. */
export interface TrackedPage {
  readonly page: Page;
  /** `pageerror: ...` and `console.error: ...` lines, in order. */
  readonly problems: string[];
  close(): Promise<void>;
}

/**
 * Launch headless Chromium (playwright-core with the system browser) in a fresh profile.
 * @example
 * const browser = await launchBrowser();
 * const { page, problems } = await browser.newPage();
 * await page.goto(url);
 * expect(problems).toEqual([]);
 * await browser.close();
 */
export async function launchBrowser(options: { viewport?: { width: number; height: number } } = {}): Promise<TestBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'qwik-realtime-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: options.viewport ?? { width: 1280, height: 800 },
    });
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
  let closed = false;
  return {
    context,
    async newPage(pageOptions = {}) {
      const page = await context.newPage();
      const problems: string[] = [];
      const ignored = (text: string) => (pageOptions.ignore ?? []).some((pattern) => pattern.test(text));
      page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
      page.on('console', (message: ConsoleMessage) => {
        if (message.type() === 'error' && !ignored(message.text())) problems.push(`console.error: ${message.text()}`);
      });
      return { page, problems, close: () => page.close() };
    },
    async close() {
      if (closed) return;
      closed = true;
      await context.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}
