/**
 * The load generator's side: server child processes (pinned to their own core where `taskset` exists) and
 * raw-socket subscribers that count deliveries and sample latencies without any client library in the way.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

let serverFile: string | undefined;
/** Use this built server file (see build.ts) for every server started from now on. */
export function useServerBuild(file: string): void {
  serverFile = file;
}
const hasTaskset = existsSync('/usr/bin/taskset') || existsSync('/bin/taskset');
export const wallClock = () => performance.timeOrigin + performance.now();

/** A server under test in its own process. */
export interface ServerProcess {
  port: number;
  ask<T = Record<string, unknown>>(command: Record<string, unknown>): Promise<T>;
  /** Poll until `count` (subscriptions) reaches `target`; false after `timeoutMs` without progress. */
  waitForCount(target: number, timeoutMs?: number): Promise<boolean>;
  stop(): Promise<void>;
}

/** Start `bench/server.ts <kind> [broker]` on `core` with a raised descriptor limit. */
export async function startServer(kind: string, options: { broker?: string; core?: number; env?: Record<string, string>; cpuProf?: string } = {}): Promise<ServerProcess> {
  if (!serverFile) throw new Error('bench: call useServerBuild() first');
  const node = [process.execPath, '--expose-gc', ...(options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProf}`] : []), serverFile, kind, options.broker ?? 'memory'];
  const pin = hasTaskset ? `taskset -c ${options.core ?? 1} ` : '';
  // The shell raises the descriptor limit (10k connections) before exec'ing node; `$@` keeps arguments intact.
  const child: ChildProcess = spawn('/bin/sh', ['-c', `ulimit -n 65536 2>/dev/null; exec ${pin}"$@"`, 'sh', ...node], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...options.env },
    cwd: fileURLToPath(new URL('.', import.meta.url)),
  });
  let nextId = 0;
  const waiting = new Map<number, (answer: any) => void>();
  let onReady!: (port: number) => void;
  const ready = new Promise<number>((resolve) => (onReady = resolve));
  child.on('message', (message: any) => {
    if (message.ready) return onReady(message.ready);
    waiting.get(message.id)?.(message);
    waiting.delete(message.id);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await Promise.race([ready, exited.then(() => Promise.reject(new Error(`bench server ${kind} exited before listening`)))]);
  const ask = <T>(command: Record<string, unknown>) =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, (answer) => (answer.error ? reject(new Error(answer.error)) : resolve(answer)));
      child.send({ id, ...command });
    });
  return {
    port,
    ask,
    async waitForCount(target, timeoutMs = 20_000) {
      let last = -1;
      let since = Date.now();
      for (;;) {
        const { count } = await ask<{ count: number }>({ cmd: 'count' });
        if (count >= target) return true;
        if (count !== last) (last = count), (since = Date.now());
        if (Date.now() - since > timeoutMs) return false;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async stop() {
      if (child.exitCode === null) child.disconnect();
      await exited;
    },
  };
}

/** Marks a delivered message in every server's bytes: `data` is `{"n":…,"t":…,"x":"…"}`. */
const TOKEN = '{"n":';

/** Counts of one subscriber; `latencies` only on sampled ones. */
export interface Subscriber {
  socket: Socket;
  received: number;
  closed: boolean;
  latencies: number[] | undefined;
}

/** Everything the subscribers of one trial received. */
export interface Crowd {
  subscribers: Subscriber[];
  delivered(): number;
  /** Resolves once `target` deliveries arrived, or false after `idleMs` without any. */
  waitFor(target: number, idleMs?: number): Promise<boolean>;
  latencies(): number[];
  close(): void;
}

export type Protocol = 'sse' | 'hub-ws' | 'plain-ws';

/** A masked client->server text frame (payload < 65536 bytes) with an all-zero mask. */
function maskedText(text: string): Buffer {
  const payload = Buffer.from(text);
  const header = payload.length < 126 ? Buffer.from([0x81, 0x80 | payload.length]) : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 255]);
  return Buffer.concat([header, Buffer.alloc(4), payload]);
}

/**
 * Open `count` raw subscribers, `topicsOf(i)` each, in waves (the listen backlog is finite); every
 * `sampleEvery`-th parses `t` for latency. SSE asks `path?topic=…`; hub WebSocket sends subscribe frames.
 */
export async function openCrowd(
  port: number,
  protocol: Protocol,
  count: number,
  options: { path?: string; topicsOf?: (index: number) => string[]; sampleEvery?: number; wave?: (opened: number) => Promise<void> } = {},
): Promise<Crowd> {
  const subscribers: Subscriber[] = [];
  let delivered = 0;
  let lastProgress = Date.now();
  let wake: (() => void) | undefined;
  const topicsOf = options.topicsOf ?? (() => ['bench']);
  const sampleEvery = options.sampleEvery ?? 0;
  for (let i = 0; i < count; i++) {
    const socket = connect(port, '127.0.0.1');
    socket.setEncoding('latin1');
    socket.setNoDelay(true);
    const subscriber: Subscriber = { socket, received: 0, closed: false, latencies: sampleEvery > 0 && i % sampleEvery === 0 ? [] : undefined };
    let carry = '';
    socket.on('data', (chunk: string) => {
      const text = carry + chunk;
      let from = 0;
      let index = text.indexOf(TOKEN);
      let counted = 0;
      while (index >= 0) {
        if (subscriber.latencies) {
          const end = text.indexOf(',"x"', index);
          if (end < 0) break;
          const t = Number(text.slice(text.indexOf('"t":', index) + 4, end));
          subscriber.latencies.push(wallClock() - t);
        }
        counted++;
        from = index + TOKEN.length;
        index = text.indexOf(TOKEN, from);
      }
      carry = index >= 0 ? text.slice(index) : text.slice(Math.max(from, text.length - (TOKEN.length - 1)));
      if (counted > 0) {
        subscriber.received += counted;
        delivered += counted;
        lastProgress = Date.now();
        wake?.();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => (subscriber.closed = true));
    const topics = topicsOf(i);
    if (protocol === 'sse') {
      socket.write(`GET ${options.path ?? '/realtime/sse'}?${topics.map((t) => `topic=${encodeURIComponent(t)}`).join('&')} HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n`);
    } else {
      socket.write(
        `GET ${options.path ?? '/realtime/ws'} HTTP/1.1\r\nHost: bench\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
      );
      if (protocol === 'hub-ws') socket.write(Buffer.concat(topics.map((topic) => maskedText(JSON.stringify({ type: 'subscribe', topic })))));
    }
    subscribers.push(subscriber);
    if ((i + 1) % 250 === 0) await options.wave?.(i + 1);
  }
  return {
    subscribers,
    delivered: () => delivered,
    async waitFor(target, idleMs = 10_000) {
      lastProgress = Date.now();
      while (delivered < target) {
        if (Date.now() - lastProgress > idleMs) return false;
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 100);
        });
        wake = undefined;
      }
      return true;
    },
    latencies: () => subscribers.flatMap((s) => s.latencies ?? []),
    close() {
      for (const { socket } of subscribers) socket.destroy();
    },
  };
}

/** p-th percentile (0..100) of `values`, ms with one decimal. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! * 10) / 10;
}
