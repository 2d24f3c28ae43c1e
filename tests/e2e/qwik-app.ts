import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** Files the app loads from the packages' builds (`pnpm --filter "@qwik-realtime/qwik..." run build`). */
const BUILT = ['packages/qwik/lib/index.qwik.mjs', 'packages/qwik/lib/server/index.qwik.mjs', 'packages/core/dist/index.js', 'packages/server/dist/vite.js'];

/** The Qwik City e2e app (tests/qwik-app) running under vite dev in a child process. */
export interface QwikApp {
  readonly url: string;
  /** Everything the server printed, for failure messages. */
  readonly output: () => string;
  /** The hub's counts (`hub.stats()`), through the app's `/api/stats/` route. */
  stats(): Promise<{ connections: Record<'sse' | 'ws' | 'poll', number>; topics: Record<string, number> }>;
  /** Publish through the hub's HTTP endpoint, as any other publisher would. */
  publish(topic: string, data: unknown): Promise<{ offset: number; epoch: string; id: string }>;
  /** Stop the server and everything it started. Safe to call twice. */
  stop(): Promise<void>;
}

/** The app's production build (`pnpm --filter @qwik-realtime/qwik-app run build`). */
const APP_BUILT = ['tests/qwik-app/dist/q-manifest.json', 'tests/qwik-app/server/entry.preview.js'];

/**
 * Start tests/qwik-app on a free port and wait (at most `timeoutMs`) for it to answer: under `vite dev`, or
 * with `mode: 'preview'` the production build under `vite preview`.
 */
export async function startQwikApp(options: { mode?: 'dev' | 'preview'; timeoutMs?: number } = {}): Promise<QwikApp> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const preview = options.mode === 'preview';
  const missing = [...BUILT, ...(preview ? APP_BUILT : [])].filter((file) => !existsSync(`${REPO}/${file}`));
  if (missing.length > 0) {
    throw new Error(
      `@qwik-realtime/tests: build first (pnpm -r --filter ./packages/* run build${preview ? ' && pnpm --filter @qwik-realtime/qwik-app run build' : ''}); missing ${missing.join(', ')}`,
    );
  }
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/qwik-app/serve.ts', ...(preview ? ['--preview'] : [])], {
    cwd: REPO,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: preview ? 'production' : 'development' },
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`qwik-app did not start in ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const check = () => {
      const match = /READY (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`qwik-app exited with ${code}:\n${output}`));
    });
  }).catch(async (error: unknown) => {
    await kill(child);
    throw error;
  });

  return {
    url,
    output: () => output,
    async stats() {
      const response = await fetch(`${url}/api/stats/`);
      return (await response.json()) as Awaited<ReturnType<QwikApp['stats']>>;
    },
    async publish(topic, data) {
      const response = await fetch(`${url}/realtime/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ topic, data }),
      });
      if (!response.ok) throw new Error(`publish: HTTP ${response.status} ${await response.text()}`);
      return (await response.json()) as { offset: number; epoch: string; id: string };
    },
    stop: () => kill(child),
  };
}

/** SIGTERM the server's process group, SIGKILL it if it is still there after 5 s. */
async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const pid = child.pid;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 5000);
  await exited;
  clearTimeout(timer);
}
