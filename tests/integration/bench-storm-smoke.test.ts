import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Run `bench/storm.ts --smoke` (a few clients in two load processes, every broker and way down) and parse its STORM_JSON line. */
function runSmoke(): Promise<{ code: number | null; json: any; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/storm.ts', '--smoke'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    // Bounded: the whole process group goes if the smoke hangs.
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 170_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith('STORM_JSON '));
      resolve({ code, json: line ? JSON.parse(line.slice('STORM_JSON '.length)) : undefined, stderr });
    });
  });
}

// Only that the benchmark runs end to end and reports every figure: its numbers are in bench/RESULTS.md.
test('GIVEN the reconnect-storm benchmark WHEN run with --smoke THEN every figure of every storm comes out', { timeout: 180_000 }, async () => {
  const { code, json, stderr } = await runSmoke();
  expect(code, stderr).toBe(0);
  expect(json.failures, stderr).toEqual({});
  expect(Object.keys(json.targets).sort()).toEqual(['reconnectPeak100msPercentMax', 'redisMessagesLost', 'timeToLiveP99MsMax']);
  expect(json.rows.map((row: any) => `${row.broker} ${row.way}`)).toEqual(['memory kill', 'memory drain', 'redis kill', 'redis drain']);
  expect(json.meta.config.loads).toBeGreaterThan(1);
  for (const row of json.rows) {
    // Every load process reports its own event-loop delay: the reader can tell a stalled observer from the wire.
    expect(row.loadEventLoopDelayMs).toHaveLength(json.meta.config.loads);
    for (const load of row.loadEventLoopDelayMs) for (const key of ['p99', 'max', 'peakRssMb', 'cpuMs']) expect(typeof load[key]).toBe('number');
    expect(Object.keys(row.phasesMs).sort()).toEqual(['chosenDelay', 'failedAttempts', 'handshake', 'resubscribe', 'timerLag']);
    const histogramTotal = row.reconnectHistogram100ms.reduce((sum: number, n: number) => sum + n, 0);
    expect(histogramTotal).toBeGreaterThan(0);
    expect(histogramTotal).toBeLessThanOrEqual(row.clients);
    expect(Object.keys(row.timeToLiveMs).sort()).toEqual(['max', 'p50', 'p99']);
    for (const key of ['clients', 'liveAgain', 'reconnectPeak100msPercent', 'attempts', 'tryAgainLater', 'recoveredFalse', 'serverPeakRssMb', 'eventLoopDelayP99Ms', 'eventLoopDelayMaxMs', 'loadEventLoopDelayP99Ms', 'loadEventLoopDelayMaxMs', 'hubCpuMs', 'loadCpuMs', 'published']) {
      expect(typeof row[key], `${row.broker} ${row.way} ${key}`).toBe('number');
    }
    expect(row.messagesLost === null || typeof row.messagesLost === 'number').toBe(true);
  }
});
