/**
 * A replay larger than the connection's buffer limit (a slow client cut earlier, coming back with a position
 * far behind) must be paced by the client's reading, not written at once and cut again as `slow_consumer`,
 * which would repeat on every reconnect and freeze the feed.
 */
import { encodeCursor } from '@qwik-realtime/core/protocol';
import { afterEach, expect, test } from 'vitest';
import { openSse, openWs, startHubServer } from './helpers/index.js';
import type { TestHubServer } from './helpers/index.js';

let server: TestHubServer;
afterEach(() => server?.close());

const LIMIT = 64 * 1024;
const COUNT = 2000;
const body = 'x'.repeat(1000);

async function hubWithHistory(): Promise<TestHubServer> {
  const hub = await startHubServer({ maxBufferedBytes: LIMIT });
  for (let n = 1; n <= COUNT; n++) await hub.hub.publish('feed', { n, body });
  return hub;
}

test.each([
  ['ws', 'since'],
  ['ws', 'history'],
  ['sse', 'since'],
  ['sse', 'history'],
])('GIVEN %s and ~2 MB of history over a 64 KB buffer limit WHEN a client asks for it by %s THEN it gets every message, in order, and is not cut', async (transport, mode) => {
  server = await hubWithHistory();
  const head = (await server.hub.publish('feed', { n: COUNT + 1, body })).offset;
  const epoch = (await server.hub.publish('feed', { n: COUNT + 2, body })).epoch;
  const total = COUNT + 2;
  let received: number[];
  if (transport === 'ws') {
    const ws = await openWs(server.wsUrl);
    ws.send(mode === 'since' ? { type: 'subscribe', topic: 'feed', since: { offset: 0, epoch } } : { type: 'subscribe', topic: 'feed', history: total });
    await expect.poll(() => ws.frames.items.filter((f) => f.type === 'message').length, { timeout: 15_000 }).toBe(total);
    received = ws.frames.items.filter((f) => f.type === 'message').map((f) => f.data.n);
    expect(ws.frames.items.some((f) => f.type === 'error')).toBe(false);
    ws.close();
  } else {
    const query = mode === 'since' ? `topic=feed&since=${encodeURIComponent(encodeCursor({ feed: { offset: 0, epoch } }))}` : `topic=feed&history=${total}`;
    const sse = await openSse(`${server.base}/sse?${query}`);
    const messages = () => sse.events.items.filter((e) => e.event === 'message');
    await expect.poll(() => messages().length, { timeout: 15_000 }).toBe(total);
    received = messages().map((e) => e.json.data.n);
    sse.close();
  }
  expect(received).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  expect(server.hub.stats().disconnects?.slow_consumer ?? 0).toBe(0);
  expect(head).toBe(COUNT + 1);
});
