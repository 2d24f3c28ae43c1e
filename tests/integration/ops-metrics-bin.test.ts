import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { createCollector, openSse, publishHttp } from './helpers/index.js';
import { scrape } from './ops-metrics-text.js';

const bin = fileURLToPath(new URL('../../packages/server/src/bin.ts', import.meta.url));

/** Run the standalone server on port 0; resolves with its origin and a stop function. */
async function startBin(args: string[]): Promise<{ origin: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', bin, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createCollector<string>('bin stdout');
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => chunk.split('\n').filter(Boolean).forEach((line) => lines.push(line)));
  try {
    const banner = await lines.next((line) => line.includes('listening on'), 15_000);
    return {
      origin: /(http:\/\/[^/\s]+)/.exec(banner)![1]!,
      async stop() {
        child.kill('SIGKILL');
        await exited;
      },
    };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

test('GIVEN the standalone server with --metrics WHEN an SSE client subscribes and a message is published THEN GET /metrics shows them in Prometheus text', async () => {
  const server = await startBin(['--metrics']);
  try {
    const stream = await openSse(`${server.origin}/realtime/sse?topic=room`);
    await stream.events.take((e) => e.event === 'subscribed');
    expect((await publishHttp(`${server.origin}/realtime`, { topic: 'room', data: 'hi' })).status).toBe(200);
    await stream.events.take((e) => e.event === 'message');
    const text = await scrape(`${server.origin}/metrics`);
    expect(text.value('qwik_realtime_connections', { transport: 'sse' })).toBe(1);
    expect(text.value('qwik_realtime_subscriptions', { transport: 'sse' })).toBe(1);
    expect(text.value('qwik_realtime_messages_in_total', { broker: 'memory' })).toBe(1);
    expect(text.value('qwik_realtime_messages_out_total', { transport: 'sse' })).toBe(1);
    stream.close();
  } finally {
    await server.stop();
  }
});

test('GIVEN the standalone server without --metrics THEN /metrics is not served', async () => {
  const server = await startBin([]);
  try {
    expect((await fetch(`${server.origin}/metrics`)).status).toBe(404);
  } finally {
    await server.stop();
  }
});
