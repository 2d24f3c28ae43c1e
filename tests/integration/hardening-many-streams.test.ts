import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { openSse, startHubServer } from './helpers/index.js';
import type { TestHubServer } from './helpers/index.js';

let server: TestHubServer;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await server?.close();
});

test('GIVEN one client opening 1000 SSE streams at once THEN each is answered (200, or 503 try_again_later past the handshake cap), the hub keeps serving an honest subscriber, and closing them frees everything', async () => {
  server = await startHubServer({ maxConcurrentHandshakes: 64 });
  const honest = await openSse(`${server.base}/sse?topic=calm`);
  await honest.events.take((e) => e.event === 'subscribed');
  const before = process.memoryUsage().rss;
  const statuses = await Promise.all(
    Array.from(
      { length: 1000 },
      (_, i) =>
        new Promise<number>((resolve) => {
          const socket = connect(server.port, '127.0.0.1');
          sockets.push(socket);
          let text = '';
          socket.on('error', () => resolve(0));
          socket.on('data', (chunk) => {
            text += chunk.toString('latin1');
            const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
            if (status && text.includes('\r\n\r\n')) resolve(Number(status));
          });
          socket.write(`GET /realtime/sse?topic=t${i % 50}&history=5 HTTP/1.1\r\nHost: x\r\n\r\n`);
        }),
    ),
  );
  const counts = statuses.reduce<Record<number, number>>((all, status) => ({ ...all, [status]: (all[status] ?? 0) + 1 }), {});
  expect(Object.keys(counts).every((status) => status === '200' || status === '503')).toBe(true);
  expect(server.hub.stats().connections.sse).toBe(1 + (counts[200] ?? 0));
  // Not a timing figure: a ceiling far above the ~40 KB per stream measured in docs/server.md.
  expect(process.memoryUsage().rss - before).toBeLessThan(400 * 1024 * 1024);
  const ack = await server.hub.publish('calm', 'still here');
  await honest.events.take((e) => e.event === 'message' && e.json.offset === ack.offset);
  for (const socket of sockets.splice(0)) socket.destroy();
  await expect.poll(() => server.hub.stats().connections.sse, { timeout: 10_000 }).toBe(1);
  honest.close();
}, 60_000);
