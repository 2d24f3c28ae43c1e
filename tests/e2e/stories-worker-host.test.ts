import { afterEach, describe, expect, it } from 'vitest';
import { counters } from './helpers/counters-driver';
import { useStorySession } from './helpers/story-session';

const session = useStorySession();
afterEach(() => session.closePages());

describe('Worker host (host={workerHost})', () => {
  it('GIVEN two frames of the story WHEN both feeds are live THEN the stand-in counts one connection and one subscriber for both', async () => {
    const { page, problems } = await session.open('patterns-worker-host--two-tabs-sharing');
    for (const title of ['first tab', 'second tab']) {
      const frame = page.frameLocator(`iframe[title="${title}"]`);
      await frame.locator('[role="status"][data-state="live"]').first().waitFor({ timeout: 30_000 });
      await frame.locator('ul[aria-label="prices:BTC ticks"] li').first().waitFor({ timeout: 30_000 });
    }
    const count = counters(page);
    await count.waitForValue('connections', 1);
    await count.waitForValue('subscribers', 1);
    expect(problems).toEqual([]);
  });
});
