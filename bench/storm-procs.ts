/**
 * Child processes of the reconnect-storm benchmark (hubs and load processes), driven over IPC: every command
 * `{ id, cmd, ... }` is answered `{ id, ... }` (or `{ id, error }`); a child says `{ ready: true }` once it can
 * take commands.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

const hasTaskset = existsSync('/usr/bin/taskset') || existsSync('/bin/taskset');

/** One child process and its command channel. */
export interface StormChild {
  child: ChildProcess;
  exited: Promise<void>;
  ask<T = Record<string, any>>(command: Record<string, unknown>): Promise<T>;
}

/**
 * Start `node <nodeArgs>` with a high descriptor limit (1,000 clients, up to two sockets each), pinned to
 * `cpus` (a taskset list such as `0` or `0,1`) when taskset exists; resolves once the child is ready.
 */
export async function startChild(nodeArgs: string[], cpus: string | undefined): Promise<StormChild> {
  const pin = hasTaskset && cpus ? `taskset -c ${cpus} ` : '';
  // STORM_CPU_PROF=<dir>: every child writes a CPU profile there when it ends (see endChild).
  const prof = process.env.STORM_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.STORM_CPU_PROF}`] : [];
  const child = spawn('/bin/sh', ['-c', `ulimit -n 65536 2>/dev/null; exec ${pin}"$@"`, 'sh', process.execPath, ...prof, ...nodeArgs], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 0;
  const waiting = new Map<number, (answer: any) => void>();
  let onReady!: () => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.on('message', (message: any) => {
    if (message.ready) return onReady();
    waiting.get(message.id)?.(message);
    waiting.delete(message.id);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await Promise.race([ready, exited.then(() => Promise.reject(new Error(`bench: storm child ${nodeArgs.join(' ')} exited before it was ready`)))]);
  const ask = <T>(command: Record<string, unknown>) =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, (answer) => (answer.error ? reject(new Error(answer.error)) : resolve(answer)));
      child.send({ id, ...command });
      void exited.then(() => reject(new Error(`bench: storm child exited during ${String(command.cmd)}`)));
    });
  return { child, exited, ask };
}

/** SIGKILL the child (if it still runs) and wait for it to be gone. */
export async function stopChild(child: StormChild | undefined): Promise<void> {
  if (!child || child.child.exitCode !== null || child.child.signalCode !== null) return;
  child.child.kill('SIGKILL');
  await child.exited;
}

/** End the child by closing its channel (it exits and can write a profile); SIGKILL if it is not gone in 3 s. */
export async function endChild(child: StormChild | undefined): Promise<void> {
  if (!child || child.child.exitCode !== null || child.child.signalCode !== null) return;
  child.child.disconnect();
  const timer = setTimeout(() => child.child.kill('SIGKILL'), 3000);
  await child.exited;
  clearTimeout(timer);
}

/** A TCP port free right now on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * Serve IPC commands in a child: `handle` answers each one; the child exits when its parent goes.
 * Sends `{ ready: true }`.
 */
export function serveCommands(handle: (command: Record<string, any>) => Promise<object>): void {
  const send = (message: object) => process.send?.(message);
  process.on('message', (command: Record<string, any>) => {
    handle(command).then(
      (answer) => send({ id: command.id, ...answer }),
      (error) => send({ id: command.id, error: String(error) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
  send({ ready: true });
}
