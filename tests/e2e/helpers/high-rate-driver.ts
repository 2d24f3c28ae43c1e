import type { Page } from 'playwright-core';
import type { QwikApp } from '../qwik-app';

/** What the page's probe recorded (see tests/qwik-app/src/routes/high-rate/seq-probe.tsx). */
export interface Probe {
  count: number;
  duplicates: number;
  gaps: number;
  last: number;
  lags: number[];
}

/** Driver of the /high-rate/ pages: open one, make the hub publish a paced burst, read the probe. */
export function highRate(app: QwikApp, page: Page) {
  return {
    /** Open the page and wait until its subscription is live. `seed` opens the seed's naive pattern instead. */
    async open(options: { topic: string; transport: string; host: 'main' | 'worker' | 'seed' }): Promise<void> {
      const path = options.host === 'seed' ? '/high-rate/seed/' : '/high-rate/';
      await page.goto(`${app.url}${path}?topic=${options.topic}&transport=${options.transport}&host=${options.host}`, { waitUntil: 'load' });
      if (options.host === 'seed') await page.locator('[role="status"][data-state="live"]').waitFor({ timeout: 20_000 });
      else await page.locator('#probe[data-status="live"]').waitFor({ timeout: 20_000 });
      await page.locator('ul[aria-label="high-rate feed"][data-state="live"], ul[aria-label="high-rate feed"]:not([data-state])').waitFor({ state: 'attached', timeout: 20_000 });
    },
    /** Have the hub publish `{ seq, t }` at `rate` msg/s for `ms`; resolves when the last one is published. */
    async burst(options: { topic: string; rate: number; ms: number }): Promise<{ published: number; ms: number }> {
      const response = await fetch(`${app.url}/high-rate/burst/?topic=${options.topic}&rate=${options.rate}&ms=${options.ms}`, {
        method: 'POST',
        // Qwik City's production server refuses cross-site POSTs: say we are the app.
        headers: { origin: app.url },
      });
      if (!response.ok) throw new Error(`burst: HTTP ${response.status} ${await response.text()}`);
      return (await response.json()) as { published: number; ms: number };
    },
    probe: () => page.evaluate(() => (window as unknown as { __probe?: Probe }).__probe ?? { count: 0, duplicates: 0, gaps: 0, last: 0, lags: [] }),
    recovered: () => page.locator('#probe').getAttribute('data-recovered'),
    /** The highest `seq` the feed shows. */
    async newestShown(): Promise<number> {
      const texts = await page.locator('ul[aria-label="high-rate feed"] li').allTextContents();
      return Math.max(0, ...texts.map((text) => Number(/"seq":(\d+)/.exec(text)?.[1] ?? 0)));
    },
  };
}
