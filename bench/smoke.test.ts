import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

/**
 * Keeps `pnpm bench` working: every benchmark runs once at toy size (`--smoke`, nothing written). No timing
 * is asserted — benchmarks are not tests — only that each produced its keys and lost nothing.
 */
test('GIVEN pnpm bench --smoke THEN every benchmark runs and reports its keys', async () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--smoke'], { cwd: root, timeout: 170_000, maxBuffer: 16 * 1024 * 1024 }, (error, out, err) =>
      error ? reject(new Error(`${String(error)}\n${err}`)) : resolve(out),
    ),
  );
  const line = stdout.split('\n').find((l) => l.startsWith('BENCH_JSON '));
  expect(line).toBeDefined();
  const results = JSON.parse(line!.slice('BENCH_JSON '.length));
  expect(results.failures).toEqual({});
  for (const key of ['sseVsRaw', 'sseVsBetterSse', 'wsVsNaiveWs', 'wsVsRawSse', 'sseRssPerConnKb', 'wsRssPerConnKb', 'overloadPeakRssMb']) {
    expect(typeof results[key], key).toBe('number');
  }
  expect(results.fanout.rows.every((row: { complete: boolean }) => row.complete)).toBe(true);
  expect(results.latency.rows.length).toBe(4);
  expect(results.manyTopics.rows.every((row: { complete: boolean }) => row.complete)).toBe(true);
  expect(results.brokers.rows.map((row: { broker: string }) => row.broker)).toEqual(['memory', 'redis', 'nats']);
}, 180_000);
