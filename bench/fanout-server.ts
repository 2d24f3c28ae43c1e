/**
 * Child process of bench/run.ts: serves SSE fan-out either through the hub (`hub`) or as the baseline
 * (`raw`: a plain http server writing one pre-built Buffer per message to every response, with the same
 * bytes the hub sends). Talks to the
 * parent over IPC: `{ ready: port }`, `{ subscribers: n }`, then on `{ go: { messages, batch, size } }` it
 * publishes and answers `{ published, rssPerConnection, heapPerConnection }`.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { attachHub, createHub, createMemoryBroker, createNodeHandler } from '../packages/server/src/index.js';

const mode = process.argv[2] === 'raw' ? 'raw' : 'hub';
const withWebSocket = process.argv[3] === 'ws';
const send = (message: object) => process.send?.(message);
const tick = () => new Promise((resolve) => setImmediate(resolve));

const raws = new Set<ServerResponse>();
const hub = mode === 'hub' ? createHub({ broker: createMemoryBroker({ historySize: 100 }), heartbeatMs: 60_000, maxBufferedBytes: 64 * 1024 * 1024 }) : undefined;
const hubHandler = hub ? createNodeHandler(hub) : undefined;
const server = createServer((req, res) => {
  if (hubHandler) return hubHandler(req, res);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.write('retry: 1000\n\n');
  raws.add(res);
  res.on('close', () => raws.delete(res));
});
const count = () => (hub ? (hub.stats().topics.bench ?? 0) : raws.size);

if (hub && withWebSocket) attachHub(server, hub);
server.listen(0, '127.0.0.1', () => send({ ready: (server.address() as AddressInfo).port }));
// RSS per connection is measured from the first connection on (the parent sends `mark` once it is up), so
// code loaded and compiled for the first request is not charged to every connection.
let rssAtMark = 0;
let heapAtMark = 0;
let countAtMark = 0;
const watch = setInterval(() => send({ subscribers: count() }), 50);

process.on('message', async (message: { mark?: boolean; go?: { messages: number; batch: number; size: number } }) => {
  if (message.mark) {
    globalThis.gc?.();
    rssAtMark = process.memoryUsage().rss;
    heapAtMark = process.memoryUsage().heapUsed;
    countAtMark = count();
    send({ marked: true });
  }
  if (!message.go) return;
  clearInterval(watch);
  globalThis.gc?.();
  const connections = Math.max(1, count() - countAtMark);
  const rssPerConnection = (process.memoryUsage().rss - rssAtMark) / connections;
  const heapPerConnection = (process.memoryUsage().heapUsed - heapAtMark) / connections;
  const { messages, batch, size } = message.go;
  const data = { text: 'x'.repeat(size) };
  for (let sent = 0; sent < messages; sent += batch) {
    if (hub) {
      const pending: Promise<unknown>[] = [];
      for (let i = 0; i < batch; i++) pending.push(hub.publish('bench', { n: sent + i, ...data }));
      await Promise.all(pending);
    } else {
      for (let i = 0; i < batch; i++) {
        // The same bytes the hub sends (envelope + cursor id line), built once per message.
        const offset = sent + i + 1;
        const envelope = { id: randomUUID(), topic: 'bench', data: { n: sent + i, ...data }, timestamp: Date.now(), offset, epoch: 'AbCdEfGh' };
        const frame = Buffer.from(`id: AbCdEfGh;bench=${offset}\ndata: ${JSON.stringify(envelope)}\n\n`);
        for (const res of raws) res.write(frame);
      }
    }
    await tick();
  }
  send({ published: messages, rssPerConnection, heapPerConnection });
});
process.on('disconnect', () => process.exit(0));
