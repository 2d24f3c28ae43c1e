/**
 * Fan-out benchmark: N raw-socket subscribers (SSE, and WebSocket for `hub-ws`), M messages published in batches, deliveries counted
 * by `data:` lines. The hub is measured against a baseline in the same run (a plain http server writing a
 * pre-built Buffer to every response), so the ratio holds across machines. Server in a child process.
 *
 *   pnpm bench                     # defaults: 500 subscribers, 1000 messages of ~130 bytes
 *   BENCH_SUBSCRIBERS=1000 BENCH_MESSAGES=2000 BENCH_ROUNDS=5 pnpm bench
 *   BENCH_CPU_PROF=/tmp/prof pnpm bench     # CPU profiles of the server processes
 */
import { fork } from 'node:child_process';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 500);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1000);
const BATCH = Number(process.env.BENCH_BATCH ?? 20);
const SIZE = Number(process.env.BENCH_PAYLOAD ?? 80);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SSE_TOKEN = 'data: {';
// WebSocket frames are unmasked server->client text: count message frames and control frames alike.
const WS_TOKEN = '{"type":"';
const serverFile = fileURLToPath(new URL('./fanout-server.ts', import.meta.url));

interface Result {
  mode: string;
  deliveriesPerSecond: number;
  seconds: number;
  rssPerConnectionKb: number;
  /** JS heap retained per connection after GC (RSS also keeps pages the first requests' garbage grew). */
  heapPerConnectionKb: number;
}

/** A client->server text frame (payload < 126 bytes) with an all-zero mask. */
const maskedTextFrame = (text: string) => Buffer.from(String.fromCharCode(0x81, 0x80 | text.length, 0, 0, 0, 0) + text, 'latin1');

async function measure(mode: 'raw' | 'hub' | 'hub-ws'): Promise<Result> {
  const child = fork(serverFile, mode === 'hub-ws' ? ['hub', 'ws'] : [mode], { execArgv: ['--import', 'tsx', '--expose-gc', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const messages: ((message: any) => void)[] = [];
  child.on('message', (message) => messages.forEach((listener) => listener(message)));
  const wait = <T>(pick: (message: any) => T | undefined) =>
    new Promise<T>((resolve) => {
      const listener = (message: any) => {
        const value = pick(message);
        if (value === undefined) return;
        messages.splice(messages.indexOf(listener), 1);
        resolve(value);
      };
      messages.push(listener);
    });
  const port = await wait((m) => m.ready as number | undefined);

  // The hub also sends `hello` and `subscribed` events (2 per connection) before the messages.
  let delivered = 0;
  const target = SUBSCRIBERS * (MESSAGES + (mode === 'raw' ? 0 : 2));
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  const sockets: Socket[] = [];
  for (let i = 0; i < SUBSCRIBERS; i++) {
    if (i === 1) {
      // One connection warms the server up; memory per connection is counted from here.
      await wait((m) => (m.subscribers >= 1 ? true : undefined));
      child.send({ mark: true });
      await wait((m) => m.marked as true | undefined);
    }
    const socket = connect(port, '127.0.0.1');
    socket.setEncoding('latin1');
    socket.on('error', () => undefined);
    let carry = '';
    const TOKEN = mode === 'hub-ws' ? WS_TOKEN : SSE_TOKEN;
    socket.on('data', (chunk: string) => {
      const text = carry + chunk;
      // Count `data: {` occurrences not wholly inside the carried tail (counted with the previous chunk).
      for (let index = text.indexOf(TOKEN); index >= 0; index = text.indexOf(TOKEN, index + 1)) {
        if (index + TOKEN.length > carry.length) delivered++;
      }
      carry = text.slice(-(TOKEN.length - 1));
      if (delivered >= target) done();
    });
    if (mode === 'hub-ws') {
      socket.write(
        'GET /realtime/ws HTTP/1.1\r\nHost: bench\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
      socket.write(maskedTextFrame(JSON.stringify({ type: 'subscribe', topic: 'bench' })));
    } else socket.write(`GET /realtime/sse?topic=bench HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n`);
    sockets.push(socket);
  }
  await wait((m) => (m.subscribers >= SUBSCRIBERS ? true : undefined));
  const started = performance.now();
  child.send({ go: { messages: MESSAGES, batch: BATCH, size: SIZE } });
  const { rssPerConnection, heapPerConnection } = await wait((m) => (m.published ? m : undefined));
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, 120_000)))]);
  clearTimeout(timer);
  const seconds = (performance.now() - started) / 1000;
  for (const socket of sockets) socket.destroy();
  child.disconnect();
  await new Promise((resolve) => child.once('exit', resolve));
  if (delivered < target) console.warn(`${mode}: only ${delivered} of ${target} events arrived within 120 s`);
  return { mode, deliveriesPerSecond: Math.round((SUBSCRIBERS * MESSAGES) / seconds), seconds: Math.round(seconds * 1000) / 1000, rssPerConnectionKb: Math.round(rssPerConnection / 1024), heapPerConnectionKb: Math.round((heapPerConnection / 1024) * 10) / 10 };
}

// Alternate the two so load from other processes hits both alike; report medians.
const results: Result[] = [];
for (let round = 0; round < ROUNDS; round++) results.push(await measure('raw'), await measure('hub'), await measure('hub-ws'));
const median = (mode: string) => {
  const values = results.filter((r) => r.mode === mode).map((r) => r.deliveriesPerSecond).sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)]!;
};
console.log(`fan-out: ${SUBSCRIBERS} subscribers x ${MESSAGES} messages (payload ~${SIZE} B, batches of ${BATCH}), ${ROUNDS} rounds`);
console.table(results);
const ratios = results.filter((r) => r.mode === 'hub').map((hub, i) => hub.deliveriesPerSecond / results.filter((r) => r.mode === 'raw')[i]!.deliveriesPerSecond);
console.log(`hub SSE / raw res.write deliveries per second: median ${(median('hub') / median('raw')).toFixed(2)} (per round: ${ratios.map((r) => r.toFixed(2)).join(', ')})`);
console.log(`hub WebSocket / raw res.write (SSE) deliveries per second: median ${(median('hub-ws') / median('raw')).toFixed(2)}`);
process.exit(0);
