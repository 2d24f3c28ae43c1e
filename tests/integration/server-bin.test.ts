import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EventSource } from 'eventsource';
import { expect, test } from 'vitest';
import { createCollector } from './helpers/index.js';

const bin = fileURLToPath(new URL('../../packages/server/src/bin.ts', import.meta.url));

test('GIVEN the standalone server with --demo WHEN a plain EventSource subscribes to prices:BTC THEN ticks arrive; SIGTERM stops it cleanly', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', bin, '--port', '0', '--demo'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const lines = createCollector<string>('bin stdout');
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => chunk.split('\n').filter(Boolean).forEach((line) => lines.push(line)));
    const banner = await lines.next((line) => line.includes('listening on'), 15_000);
    const base = /(http:\/\/\S+\/realtime)/.exec(banner)![1]!;
    const ticks = createCollector<{ topic: string; data: { symbol: string; price: number }; lastEventId: string }>('ticks');
    const es = new EventSource(`${base}/sse?topic=prices:BTC`);
    es.onmessage = (event) => ticks.push({ ...JSON.parse(event.data), lastEventId: event.lastEventId });
    try {
      const [first, second] = await ticks.count(2, 10_000);
      expect(first).toMatchObject({ topic: 'prices:BTC', data: { symbol: 'BTC' } });
      expect(second!.data.price).toBeGreaterThan(0);
      expect(second!.lastEventId).toMatch(/;prices:BTC=\d+$/);
    } finally {
      es.close();
    }
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    child.kill('SIGKILL');
  }
});
