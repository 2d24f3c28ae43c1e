import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { axeViolations, roleProblems } from './helpers/a11y';
import { connectionStatus } from './helpers/connection-status-driver';
import { faultBar } from './helpers/fault-bar-driver';
import { contiguous, liveFeed } from './helpers/live-feed-driver';
import { STORYBOOK_STATIC } from './helpers/stand-in';
import { INJECTED_NETWORK_ERRORS, useStorySession } from './helpers/story-session';

const session = useStorySession();
afterEach(() => session.closePages());

/** `data-transport` of the story's transport badge. */
const transportOf = (page: import('playwright-core').Page) => page.locator('[data-transport]').getAttribute('data-transport');

describe('LiveFeed stories', () => {
  it.each([
    ['components-livefeed--web-socket', 'websocket', 'ws'],
    ['components-livefeed--server-sent-events', 'sse', 'sse'],
    ['components-livefeed--fetch-sse', 'fetch-sse', 'sse'],
    ['components-livefeed--long-poll', 'long-poll', 'poll'],
  ] as const)('GIVEN %s WHEN connections are dropped mid-stream THEN it goes live again over %s and the feed has no gap', async (id, transport, serverKind) => {
    const { page, problems } = await session.open(id, { ignore: INJECTED_NETWORK_ERRORS });
    const status = connectionStatus(page);
    const feed = liveFeed(page, 'prices:BTC ticks');
    await status.waitFor('live');
    expect(await transportOf(page)).toBe(transport);
    await feed.waitForItems(3);
    expect(await feed.state()).toBe('live');
    // A long-poll is counted only while it waits, so sample until the one request is in flight.
    await expect.poll(async () => (await session.control.stats()).connections[serverKind], { timeout: 5_000 }).toBe(1);
    expect((await session.control.stats()).connections.total).toBeLessThanOrEqual(1);

    const newest = Math.max(...(await feed.offsets()));
    await faultBar(page).press('Drop connections');
    await status.waitFor('live');
    await feed.waitForOffsetAbove(newest + 2);
    const offsets = await feed.offsets();
    expect(contiguous(offsets), `offsets ${offsets.join(',')}`).toBe(true);
    expect(await transportOf(page)).toBe(transport);
    expect(problems).toEqual([]);
  });

  it('GIVEN WebSocket upgrades are refused WHEN the fallback-chain story loads THEN it skips to SSE and goes live; allowed again, a fresh page uses WebSocket', async () => {
    await session.control.post('ws', { refuse: 1 });
    const { page, problems } = await session.open('components-livefeed--fallback-chain', { ignore: INJECTED_NETWORK_ERRORS });
    const status = connectionStatus(page);
    const feed = liveFeed(page, 'prices:BTC ticks');
    await status.waitFor('live');
    expect(await transportOf(page)).toBe('sse');
    const stats = await session.control.stats();
    expect(stats.wsRefused).toBeGreaterThanOrEqual(1);
    expect(stats.connections).toMatchObject({ sse: 1, ws: 0 });
    await feed.waitForItems(2);
    expect(contiguous(await feed.offsets())).toBe(true);

    await page.getByRole('button', { name: 'Allow WebSocket and reload' }).click();
    await page.locator('[data-transport="websocket"][data-status="open"]').waitFor({ timeout: 30_000 });
    await status.waitFor('live');
    expect(problems).toEqual([]);
  });
});

describe('ConnectionStatus story', () => {
  it('GIVEN the status tour WHEN the server stops, auth is refused, the server goes silent and the browser goes offline THEN the badge shows each state and comes back live', async () => {
    const { page, problems } = await session.open('components-connectionstatus--every-state', { ignore: INJECTED_NETWORK_ERRORS });
    const status = connectionStatus(page);
    const faults = faultBar(page);
    await status.waitFor('live');
    expect(await status.text()).toBe('Live');

    // Server down for 8 s: a countdown to each retry, then live again.
    await faults.press('Stop server for 8 s');
    await status.waitFor('reconnecting');
    expect(await status.text()).toMatch(/^Reconnecting in \d+ s$/);
    await status.waitFor('live', 40_000);

    // Refused credentials: an error, and no retry loop (the client stops until asked).
    await faults.press('Reject auth');
    await status.waitFor('error', 30_000);
    expect(await status.text()).toMatch(/^Error: /);
    await faults.press('Allow auth');
    await page.getByRole('button', { name: 'Retry now' }).click();
    await status.waitFor('live');

    // A silent server: only the heartbeat watchdog notices.
    await faults.press('Go silent (no heartbeats)');
    await page.locator('ol[aria-label="Connection log"] li[data-kind="reconnecting"]').first().waitFor({ timeout: 30_000 });
    await faults.press('Speak again');
    await status.waitFor('live', 40_000);

    await page.context().setOffline(true);
    await status.waitFor('offline');
    await page.context().setOffline(false);
    await status.waitFor('live', 40_000);
    expect(problems).toEqual([]);
  });
});

describe('every story', () => {
  it('GIVEN each story of the static build WHEN it is loaded against the stand-in broker THEN it renders without errors and passes the accessibility checks', async () => {
    const index = JSON.parse(await readFile(`${STORYBOOK_STATIC}/index.json`, 'utf8')) as { entries: Record<string, { id: string; type: string }> };
    const ids = Object.values(index.entries)
      .filter((entry) => entry.type === 'story')
      .map((entry) => entry.id);
    expect(ids.length).toBeGreaterThanOrEqual(15);
    const report: Record<string, string[]> = {};
    for (const id of ids) {
      const { page, problems, close } = await session.open(id);
      // Components that show a connection badge must reach "live" (the lazy story has none on screen).
      if ((await page.locator('[role="status"][data-state]').count()) > 0) await connectionStatus(page).waitFor('live');
      const issues = [
        ...(await roleProblems(page)),
        ...(await axeViolations(page)).map((violation) => `${violation.rule} (${violation.impact}): ${violation.targets.join(' | ')}`),
        ...problems,
      ];
      if (issues.length > 0) report[id] = issues;
      await close();
    }
    expect(report).toEqual({});
  }, 240_000);

  it('GIVEN each docs page WHEN it renders its stories inline THEN there is no error and every inline badge goes live', async () => {
    const index = JSON.parse(await readFile(`${STORYBOOK_STATIC}/index.json`, 'utf8')) as { entries: Record<string, { id: string; type: string }> };
    const ids = Object.values(index.entries)
      .filter((entry) => entry.type === 'docs')
      .map((entry) => entry.id);
    expect(ids.length).toBeGreaterThanOrEqual(10);
    const report: Record<string, string[]> = {};
    for (const id of ids) {
      const { page, problems, close } = await session.open(id, { viewMode: 'docs' });
      const badges = page.locator('#storybook-docs [role="status"][data-state]');
      const count = await badges.count();
      for (let i = 0; i < count; i++) {
        await badges.nth(i).and(page.locator('[data-state="live"]')).waitFor({ timeout: 20_000 });
      }
      if (problems.length > 0) report[id] = [...problems];
      await close();
    }
    expect(report).toEqual({});
  }, 300_000);
});
