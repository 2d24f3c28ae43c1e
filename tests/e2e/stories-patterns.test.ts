import { afterEach, describe, expect, it } from 'vitest';
import { connectionStatus } from './helpers/connection-status-driver';
import { counters } from './helpers/counters-driver';
import { faultBar } from './helpers/fault-bar-driver';
import { contiguous, liveFeed } from './helpers/live-feed-driver';
import { INJECTED_NETWORK_ERRORS, useStorySession } from './helpers/story-session';

const session = useStorySession();
afterEach(() => session.closePages());

describe('Reconnect with backoff', () => {
  it('GIVEN the server is down for 8 s WHEN the client retries THEN attempts count up with delays within the full-jitter envelope, and it goes live again', async () => {
    const { page, problems } = await session.open('patterns-reconnect-with-backoff--backoff', { ignore: INJECTED_NETWORK_ERRORS });
    const status = connectionStatus(page);
    await status.waitFor('live');
    await faultBar(page).press('Stop server for 8 s');
    await counters(page).waitForAtLeast('attempt', 2, 30_000);
    await status.waitFor('live', 40_000);
    const entries = await page
      .locator('ol[aria-label="Reconnect attempts"] li[data-kind="reconnecting"]')
      .evaluateAll((items) => items.map((item) => ({ attempt: Number(item.getAttribute('data-attempt')), retryMs: Number(item.getAttribute('data-retry-ms')) })));
    expect(entries.length).toBeGreaterThanOrEqual(2);
    for (const { attempt, retryMs } of entries) {
      // Story args: base 1000 ms, cap 8000 ms; delay in [0, min(cap, base * 2^attempt)].
      expect(retryMs).toBeGreaterThanOrEqual(0);
      expect(retryMs).toBeLessThanOrEqual(Math.min(8000, 1000 * 2 ** attempt));
    }
    expect(Math.max(...entries.map((entry) => entry.attempt))).toBeGreaterThanOrEqual(2);
    expect(problems).toEqual([]);
  });
});

describe('Resume and dedup', () => {
  it.each([
    ['patterns-resume-and-dedup--web-socket'],
    ['patterns-resume-and-dedup--long-poll'],
  ])('GIVEN %s WHEN every message is appended twice (two offsets, one id) and connections drop every second THEN the client drops the copies: nothing is missing and nothing is shown twice', async (id) => {
    const { page, problems } = await session.open(id, { ignore: INJECTED_NETWORK_ERRORS });
    const count = counters(page);
    await connectionStatus(page).waitFor('live');
    await count.waitForAtLeast('received', 5);
    await faultBar(page).press('Send duplicates');
    await page.getByRole('button', { name: 'Chaos: drop every second' }).click();
    await count.waitForAtLeast('drops', 4, 30_000);
    await page.getByRole('button', { name: 'Stop chaos' }).click();
    const before = await count.read('received');
    await count.waitForAtLeast('received', before + 10);
    await count.waitForAtLeast('injected', 1);
    // The copies reached the client (their offsets are new) and its dedup by id dropped them.
    await count.waitForAtLeast('dropped', 5);
    expect(await count.all('missing', 'duplicates')).toEqual({ missing: 0, duplicates: 0 });
    const shown = await page.locator('ol[aria-label="Last messages shown"] li').evaluateAll((items) => items.map((item) => ({ id: item.getAttribute('data-id'), n: Number(item.getAttribute('data-n')) })));
    expect(shown.length).toBeGreaterThanOrEqual(5);
    expect(new Set(shown.map((item) => item.id)).size).toBe(shown.length);
    expect(shown.map((item) => item.n)).toEqual(shown.map((_, index) => (shown[0]?.n ?? 0) + index));
    expect(await page.locator('[data-recovered]').getAttribute('data-recovered')).toBe('true');
    expect(problems).toEqual([]);
  });
});

describe('Recovery impossible', () => {
  it('GIVEN a live sequence WHEN the server restarts with a new epoch THEN the page says recovered: false without silently missing anything, and Reload starts over', async () => {
    const { page, problems } = await session.open('patterns-recovery-impossible--restart-server', { ignore: INJECTED_NETWORK_ERRORS });
    const count = counters(page);
    await connectionStatus(page).waitFor('live');
    await count.waitForAtLeast('received', 3);
    const epoch = (await session.control.stats()).epoch;
    await faultBar(page).press('Restart server (new epoch)');
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 20_000 });
    expect(await alert.innerText()).toContain('recovered: false');
    expect((await session.control.stats()).epoch).not.toBe(epoch);
    expect(await count.read('missing')).toBe(0);

    await alert.getByRole('button', { name: 'Reload' }).click();
    await page.locator('[data-generation="2"] [data-recovered="true"]').waitFor();
    await count.waitForAtLeast('received', 3);
    expect(await count.read('missing')).toBe(0);
    expect(problems).toEqual([]);
  });
});

describe('Auth', () => {
  it('GIVEN getToken per attempt WHEN connections drop, tokens expire and are then refused THEN each attempt carries a new token and a refusal stops the client until Retry now', async () => {
    const { page, problems } = await session.open('patterns-auth--token-per-attempt', { ignore: INJECTED_NETWORK_ERRORS });
    const status = connectionStatus(page);
    const faults = faultBar(page);
    const seen = page.locator('[data-seen]');
    await status.waitFor('live');
    await seen.filter({ hasText: 'token-1' }).waitFor();

    await faults.press('Drop connections');
    await seen.filter({ hasText: 'token-2' }).waitFor();
    await status.waitFor('live');

    await faults.press('Expire tokens after 3 s');
    await seen.filter({ hasText: 'token-5' }).waitFor({ timeout: 30_000 });
    await faults.press('Reject tokens');
    await status.waitFor('error', 30_000);
    const refused = await session.control.stats();
    expect(refused.auth.seen.at(-1)).toMatchObject({ accepted: false });
    // Stopped: while the client shows the error, it asks for no new token (no attempt) until Retry now.
    const issuedBefore = await page.locator('[data-issued]').innerText();

    await faults.press('Accept tokens');
    expect(await page.locator('[data-issued]').innerText()).toBe(issuedBefore);
    expect(await status.kind()).toBe('error');
    await page.getByRole('button', { name: 'Retry now' }).click();
    await status.waitFor('live');
    expect(await page.locator('[data-issued]').innerText()).not.toBe(issuedBefore);
    expect(problems).toEqual([]);
  });
});

describe('Topic filtering', () => {
  it.each([
    ['BTC', 'btc', 'eth'],
    ['ETH', 'eth', 'btc'],
  ])('GIVEN a subscription to prices:%s WHEN the ticker runs THEN only that symbol arrives', async (symbol, wanted, other) => {
    const { page, problems } = await session.open('patterns-topic-filtering--one-symbol', { args: { symbol } });
    const count = counters(page);
    await connectionStatus(page).waitFor('live');
    await count.waitForAtLeast(wanted, 3);
    expect(await count.read(other)).toBe(0);
    await page.locator('[data-server-topics]').filter({ hasText: `prices:${symbol}` }).waitFor();
    expect(await page.locator('[data-server-topics]').innerText()).toBe(`prices:${symbol}`);
    expect(problems).toEqual([]);
  });
});

describe('Heartbeat loss', () => {
  it.each([['websocket'], ['sse']])('GIVEN a live %s connection WHEN the server goes silent THEN the watchdog reconnects, and once the server speaks again it is live', async (transport) => {
    const { page, problems } = await session.open('patterns-heartbeat-loss--silent-server', { args: { transport }, ignore: INJECTED_NETWORK_ERRORS });
    const status = connectionStatus(page);
    await status.waitFor('live');
    await faultBar(page).press('Go silent (no heartbeats)');
    await page.locator('ol[aria-label="Connection log"] li[data-kind="reconnecting"]').first().waitFor({ timeout: 30_000 });
    expect(await page.locator('ol[aria-label="Connection log"]').innerText()).toContain('heartbeat_timeout');
    await faultBar(page).press('Speak again');
    await status.waitFor('live', 40_000);
    const feed = liveFeed(page, 'sequence ticks');
    const newest = Math.max(0, ...(await feed.offsets()));
    await feed.waitForOffsetAbove(newest);
    expect(problems).toEqual([]);
  });
});

describe('Cleanup on unmount', () => {
  it('GIVEN two feeds sharing one connection WHEN they are hidden THEN the server connection count goes to 0, and back to 1 when shown', async () => {
    const { page, problems } = await session.open('patterns-cleanup-on-unmount--toggle-feeds');
    await liveFeed(page, 'prices:BTC ticks').waitForItems(1);
    expect((await session.control.stats()).connections.total).toBe(1);
    await page.locator('[data-stat="connections"]').filter({ hasText: /^1$/ }).waitFor();
    await page.getByRole('button', { name: 'Hide the feeds' }).click();
    await page.locator('[data-stat="connections"]').filter({ hasText: /^0$/ }).waitFor();
    expect((await session.control.stats()).connections.total).toBe(0);
    await page.getByRole('button', { name: 'Show the feeds' }).click();
    await page.locator('[data-stat="connections"]').filter({ hasText: /^1$/ }).waitFor();
    expect((await session.control.stats()).connections).toMatchObject({ ws: 1, total: 1 });
    expect(problems).toEqual([]);
  });
});

describe('Lazy connect', () => {
  it('GIVEN a feed below the fold WHEN the story has loaded THEN no request reached the hub until the feed is scrolled into view', async () => {
    const attemptsBefore = (await session.control.stats()).auth.attempts;
    const { page, problems } = await session.open('patterns-lazy-connect--below-the-fold');
    // The story's own stats poll has answered (so its visible tasks ran), and still nothing connected.
    await page.locator('output[data-counter="attempts"]').filter({ hasText: String(attemptsBefore) }).waitFor();
    const quiet = await session.control.stats();
    expect(quiet.connections.total).toBe(0);
    expect(quiet.auth.attempts).toBe(attemptsBefore);
    expect(quiet.topics['prices:BTC'] ?? 0).toBe(0);

    expect(await page.locator('[data-visible]').getAttribute('data-visible')).toBe('false');
    await page.locator('[data-visible]').scrollIntoViewIfNeeded();
    const feed = liveFeed(page, 'Below the fold: prices:BTC ticks');
    await feed.waitForItems(1);
    expect((await session.control.stats()).connections).toMatchObject({ sse: 1, total: 1 });
    expect(problems).toEqual([]);
  });
});

describe('SSR-seeded feed', () => {
  it('GIVEN 10 seeded messages and a pause before going live THEN live messages continue right after the seed with no gap and no duplicate', async () => {
    const { page, problems } = await session.open('patterns-ssr-seeded-feed--seeded');
    const count = counters(page);
    expect(await count.read('seeded')).toBe(10);
    await count.waitForAtLeast('live', 4);
    expect(await count.all('gaps', 'duplicates')).toEqual({ gaps: 0, duplicates: 0 });
    const feed = liveFeed(page, 'prices:BTC, seeded then live');
    const offsets = await feed.offsets();
    expect(contiguous(offsets), `offsets ${offsets.join(',')}`).toBe(true);
    const firstLive = await feed.list.locator('li[data-seeded="false"]').first().getAttribute('data-offset');
    const lastSeeded = await feed.list.locator('li[data-seeded="true"]').last().getAttribute('data-offset');
    expect(Number(firstLive)).toBe(Number(lastSeeded) + 1);
    expect(problems).toEqual([]);
  });
});

describe('Chat with useChannel$', () => {
  it('GIVEN alice and bob in one room WHEN alice sends a message THEN it is acknowledged with an offset and bob sees it', async () => {
    const { page, problems } = await session.open('patterns-chat-with-usechannel--two-users');
    await connectionStatus(page).waitFor('live');
    const text = `hello from alice ${Date.now()}`;
    await page.getByLabel('Message as alice').fill(text);
    await page.getByLabel('Message as alice').press('Enter');
    const alice = page.locator('[data-chat-user="alice"]');
    await alice.getByRole('status').filter({ hasText: /Acknowledged at offset \d+/ }).waitFor();
    const offset = await alice.locator('[data-ack]').getAttribute('data-ack');
    const bobLine = page.getByRole('list', { name: "bob's view of chat/lobby" }).locator(`li[data-offset="${offset}"]`);
    await bobLine.waitFor();
    expect(await bobLine.innerText()).toBe(`alice: ${text}`);
    expect(await page.getByLabel('Message as alice').inputValue()).toBe('');
    expect(problems).toEqual([]);
  });
});

describe('High-rate ticker', () => {
  it('GIVEN 500 ticks/s per symbol WHEN the story runs THEN it keeps up and the lists stay bounded', async () => {
    const { page, problems } = await session.open('patterns-high-rate-ticker--ticker', { args: { rate: 500 } });
    const count = counters(page);
    await connectionStatus(page).waitFor('live');
    await count.waitForAtLeast('total', 2000, 30_000);
    await count.waitForAtLeast('per-second', 1);
    for (const name of ['prices:BTC ticks', 'prices:ETH ticks']) {
      const items = await liveFeed(page, name).list.locator('li').count();
      expect(items).toBeLessThanOrEqual(10);
    }
    expect((await session.control.stats()).rates.prices).toBe(500);
    expect(problems).toEqual([]);
  });
});
