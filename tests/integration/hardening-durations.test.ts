/**
 * Hub durations past what a timer holds (2^31 - 1 ms): Node fires such a timer after 1 ms, so
 * `heartbeatMs: 1e12` pinged every connection every millisecond. `createHub` refuses them with a message
 * naming the option, and the standalone server refuses such flags with its usage (exit 2).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { createHub } from '@qwik-realtime/server';
import type { HubOptions } from '@qwik-realtime/server';

const TIMER_MAX = 2 ** 31 - 1;
const durations = ['heartbeatMs', 'slowConsumerMs', 'handshakeRetryAfterMs', 'presenceTtlMs', 'pollTimeoutMs', 'authTimeoutMs', 'bodyTimeoutMs', 'hookTimeoutMs'] as const;

describe('GIVEN createHub', () => {
  test.each(durations)('WHEN %s is 1e12 THEN it throws, naming the option', (name) => {
    expect(() => createHub({ [name]: 1e12 } as HubOptions)).toThrow(new RegExp(`${name} must be at most ${TIMER_MAX} ms`));
  });

  test.each(durations)('WHEN %s is the longest a timer holds THEN the hub is created', async (name) => {
    const hub = createHub({ [name]: TIMER_MAX } as HubOptions);
    await hub.close();
  });

  test('WHEN heartbeatMs is the longest a timer holds THEN presenceTtlMs (2 x heartbeat by default) stays within it', async () => {
    const hub = createHub({ heartbeatMs: TIMER_MAX });
    expect(hub.options.presenceTtlMs).toBeLessThanOrEqual(TIMER_MAX);
    await hub.close();
  });
});

const bin = fileURLToPath(new URL('../../packages/server/src/bin.ts', import.meta.url));

/** Run the standalone server with `args`; resolves with its exit code (null if it had to be killed) and stderr. */
function runBin(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', bin, '--port', '0', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    // A server that started listening instead of refusing the flag.
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('GIVEN the standalone server', () => {
  test.each([
    ['--heartbeat-ms', 'abc'],
    ['--heartbeat-ms', '1e12'],
    ['--heartbeat-ms', '-5'],
    ['--drain-ms', '1e12'],
  ])('WHEN started with %s %s THEN it exits 2 with its usage', async (flag, value) => {
    const { code, stderr } = await runBin([`${flag}=${value}`]);
    expect(code).toBe(2);
    expect(stderr).toContain(`invalid ${flag} ${value}`);
    expect(stderr).toContain('Usage: qwik-realtime-server');
  });
});
