import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { CLOSE_CODES } from '@qwik-realtime/core/protocol';
import { expect, test } from 'vitest';
import { createCollector, openWs } from './helpers/index.js';

const bin = fileURLToPath(new URL('../../packages/server/src/bin.ts', import.meta.url));

/** Resolves true once a connection to the port is refused, false if it is still accepted after `ms`. */
async function refusedWithin(port: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (!accepted) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

test('GIVEN the standalone server with --drain-ms 3000, a WebSocket client and a publish still sending its body WHEN it gets SIGTERM THEN the client is told to reconnect within 3000 ms, new connections are refused at once, the publish is answered and the process exits 0', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', bin, '--port', '0', '--drain-ms', '3000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let raw: Socket | undefined;
  try {
    const lines = createCollector<string>('bin stdout');
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => chunk.split('\n').filter(Boolean).forEach((line) => lines.push(line)));
    const banner = await lines.next((line) => line.includes('listening on'), 15_000);
    const base = /(http:\/\/\S+\/realtime)/.exec(banner)![1]!;
    const port = Number(new URL(base).port);
    const ws = await openWs(`${base.replace('http:', 'ws:')}/ws`);
    await ws.frames.take((f) => f.type === 'hello');

    const body = JSON.stringify({ topic: 'drain', data: 'x'.repeat(40) });
    const socket = connect(port, '127.0.0.1');
    raw = socket;
    let answer = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(`POST /realtime/publish HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));

    child.kill('SIGTERM');
    expect(await ws.frames.take((f) => f.type === 'reconnect')).toEqual({ type: 'reconnect', reconnectWithinMs: 3000 });
    expect((await ws.closed).code).toBe(CLOSE_CODES.server_shutdown);
    expect(await refusedWithin(port, 10_000)).toBe(true);
    // Still running: the publish in flight keeps it up until it is answered.
    expect(child.exitCode).toBeNull();
    socket.end(body.slice(10));
    await ended;
    expect(answer).toMatch(/^HTTP\/1\.1 \d{3} /);
    expect(await exited).toBe(0);
  } finally {
    raw?.destroy();
    child.kill('SIGKILL');
  }
});
