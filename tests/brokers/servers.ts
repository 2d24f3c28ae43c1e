/**
 * Private redis-server / nats-server child processes for fault tests, on ports picked by binding port 0.
 * The shared servers on 6379/4222 are never touched. Every wait is bounded; `stop()` kills the child and
 * waits for its exit.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free TCP port on 127.0.0.1 (bind port 0, read it, release it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once 127.0.0.1:port accepts a connection; rejects after `ms`. */
async function waitForPort(port: number, child: ChildProcess, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server on ${port} exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`server on ${port} did not answer within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A server process that can be killed and started again on the same port and data directory. */
export interface PrivateServer {
  port: number;
  url: string;
  dir: string;
  /** Kill the process (SIGKILL: a crash, not a polite shutdown) and wait for it to exit. */
  stop(): Promise<void>;
  /** Start it again on the same port and directory. */
  start(): Promise<void>;
  /** Stop and remove the data directory. */
  dispose(): Promise<void>;
}

function privateServer(kind: string, url: (port: number) => string, args: (port: number, dir: string) => [string, string[]]): () => Promise<PrivateServer> {
  return async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), `qr-${kind}-`));
    let child: ChildProcess | undefined;
    const server: PrivateServer = {
      port,
      url: url(port),
      dir,
      async start() {
        const [command, argv] = args(port, dir);
        const started = spawn(command, argv, { stdio: 'ignore', cwd: dir });
        child = started;
        await waitForPort(port, started);
      },
      async stop() {
        const running = child;
        child = undefined;
        if (!running || running.exitCode !== null || running.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
        running.kill('SIGKILL');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      },
      async dispose() {
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
    await server.start();
    return server;
  };
}

/** A private redis-server; `durable` = AOF with fsync on every write, else nothing survives a restart. */
export const startRedis = (durable: boolean) =>
  privateServer(
    'redis',
    (port) => `redis://127.0.0.1:${port}`,
    (port, dir) => [
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, ...(durable ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'])],
    ],
  )();

/** A private nats-server with JetStream storing under its own directory. */
export const startNats = () =>
  privateServer('nats', (port) => `127.0.0.1:${port}`, (port, dir) => ['/usr/sbin/nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir]])();
