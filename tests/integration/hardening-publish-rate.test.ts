import { createFetchHandler, createHub } from '@qwik-realtime/server';
import type { Hub } from '@qwik-realtime/server';
import { qwikCityHandlers } from '@qwik-realtime/server/qwik-city';
import { afterEach, describe, expect, test } from 'vitest';

// The hub's clock, moved by hand: token buckets refill from it.
let clock = 1_000_000;
let hub: Hub;
afterEach(() => hub?.close());

const publish = (topic = 'rate', headers: Record<string, string> = {}) =>
  new Request('http://app.test/realtime/publish', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ topic, data: 1 }) });

async function burst(send: () => Promise<Response>, count: number) {
  const answers: { status: number; body: any; retryAfter: string | null }[] = [];
  for (let i = 0; i < count; i++) {
    const response = await send();
    answers.push({ status: response.status, body: await response.json(), retryAfter: response.headers.get('retry-after') });
  }
  return answers;
}

const expectFiveThrough = (answers: Awaited<ReturnType<typeof burst>>) => {
  expect(answers.slice(0, 5).map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
  for (const refused of answers.slice(5)) {
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('rate_limited');
    expect(refused.body.retryAfterMs).toBeGreaterThan(0);
    expect(refused.body.retryAfterMs).toBeLessThanOrEqual(1000);
    expect(refused.retryAfter).toBe('1');
  }
};

describe('GIVEN a hub limited to 1 publish/s with a burst of 5', () => {
  const limited = () => createHub({ inboundFramesPerSecond: 1, inboundFrameBurst: 5, now: () => clock, onError: () => undefined });

  test('WHEN 20 publishes reach the fetch handler (no address known) THEN 5 go through and 15 get 429 with retryAfterMs; a second later one more goes through', async () => {
    hub = limited();
    const handle = createFetchHandler(hub);
    const answers = await burst(async () => (await handle(publish()))!, 20);
    expectFiveThrough(answers);
    clock += 1000;
    expect((await handle(publish()))!.status).toBe(200);
    expect((await handle(publish()))!.status).toBe(429);
  });

  test('WHEN the app supplies clientKey THEN each client has its own bucket', async () => {
    hub = limited();
    const handle = createFetchHandler(hub, { clientKey: (request) => request.headers.get('x-test-client') ?? undefined });
    expectFiveThrough(await burst(async () => (await handle(publish('rate', { 'x-test-client': 'a' })))!, 8));
    expect((await handle(publish('rate', { 'x-test-client': 'b' })))!.status).toBe(200);
  });

  test('WHEN Qwik City handlers serve the publishes THEN the bucket is per clientConn.ip', async () => {
    hub = limited();
    const { onPost } = qwikCityHandlers(hub);
    const send = (ip: string) =>
      new Promise<Response>((resolve) => {
        void onPost({ request: publish(), send: resolve, clientConn: { ip } });
      });
    expectFiveThrough(await burst(() => send('10.0.0.1'), 8));
    expect((await send('10.0.0.2')).status).toBe(200);
  });

  test('WHEN X-Forwarded-For varies but trustProxy is off THEN clients cannot pick a fresh bucket', async () => {
    hub = limited();
    const handle = createFetchHandler(hub);
    let n = 0;
    expectFiveThrough(await burst(async () => (await handle(publish('rate', { 'x-forwarded-for': `192.0.2.${++n}` })))!, 8));
  });

  test('WHEN trustProxy is on THEN the last X-Forwarded-For entry (added by the proxy) is the key', async () => {
    hub = createHub({ inboundFramesPerSecond: 1, inboundFrameBurst: 5, now: () => clock, trustProxy: true, onError: () => undefined });
    const handle = createFetchHandler(hub);
    expectFiveThrough(await burst(async () => (await handle(publish('rate', { 'x-forwarded-for': `spoofed, 198.51.100.7` })))!, 8));
    expect((await handle(publish('rate', { 'x-forwarded-for': '198.51.100.8' })))!.status).toBe(200);
  });
});
