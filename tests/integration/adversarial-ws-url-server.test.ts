/**
 * Edges of the hub's WebSocket upgrade that nobody named when topics moved into the upgrade URL:
 * - more URL topics than `maxTopicsPerConnection`: each one past the cap must be answered (as a frame's
 *   subscribe would be), or the core client — which awaits an answer per URL topic — ends the session after
 *   `connectTimeoutMs` and reconnects with the same URL, forever;
 * - an upgrade whose `authenticate` settles after `hub.close()` must not open a session on the closed hub
 *   (and so not subscribe its URL topics on a closed registry).
 */
import { afterEach, expect, test } from 'vitest';
import { openWs, startHubServer } from './helpers/index.js';
import type { TestHubServer, WsClient } from './helpers/index.js';

let server: TestHubServer | undefined;
let client: WsClient | undefined;
afterEach(async () => {
  client?.close();
  await server?.close();
  client = server = undefined;
});

test('URL topics past maxTopicsPerConnection each get a too_many_topics error frame, none is left unanswered', async () => {
  server = await startHubServer({ maxTopicsPerConnection: 2 });
  client = await openWs(`${server.wsUrl}?topic=a&topic=b&topic=c&topic=d&topic=c`);
  // The hub handles a connection's frames after its URL topics: the pong says every URL topic was handled.
  client.send({ type: 'ping' });
  await client.frames.next((f) => f.type === 'pong');
  const answers = client.frames.items.filter((f) => f.type === 'subscribed' || f.type === 'error').map((f) => `${f.type}:${f.topic}:${f.code ?? ''}`);
  expect(answers).toEqual(['subscribed:a:', 'subscribed:b:', 'error:c:too_many_topics', 'error:d:too_many_topics']);
  expect(server.hub.sessions().map((session) => session.topics())).toEqual([['a', 'b']]);
});

test('an upgrade whose authenticate settles after hub.close() gets no session: no hello, socket closed, no URL topic subscribed', async () => {
  let settle: (principal: { id: string }) => void = () => undefined;
  let asked = 0;
  server = await startHubServer({
    authenticate: () => {
      asked++;
      return new Promise((resolve) => (settle = resolve));
    },
  });
  const opening = openWs(`${server.wsUrl}?topic=a`, { headers: { authorization: 'Bearer tok' } }).then(
    (ws) => (client = ws),
    (error: unknown) => error,
  );
  await expect.poll(() => asked, { timeout: 5000 }).toBe(1);
  await server.hub.close();
  settle({ id: 'late' });
  const accepted = await opening;
  if (accepted === client && client) {
    // Accepted to say why: an error frame and a close, never a hello.
    const closed = await Promise.race([client.closed, new Promise((resolve) => setTimeout(() => resolve('still open'), 5000))]);
    expect(closed).toMatchObject({ code: expect.any(Number) });
    expect(client.frames.items.map((f) => f.type)).not.toContain('hello');
  }
  expect(server.hub.sessions()).toEqual([]);
  expect(server.hub.stats().topics).toEqual({});
});
