import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { installedPackages, patchFile, readmeBlocks, type ReadmeBlock } from './readme';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const PACKAGES = ['core', 'qwik', 'server'] as const;
/** The official starter (`npm create qwik@1.20.1`, i.e. create-qwik) and adapter, pinned: the skeleton cache is keyed by these. */
export const CREATE_QWIK = 'qwik@1.20.1';
const ADAPTER = 'node-server';
const REDIS = 'redis@^6.3.1';

/**
 * The environment for npm and the app's build and server: the test runner's own variables (NODE_ENV=test,
 * VITEST*) would change what Vite and Qwik do.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'NODE_ENV' || key === 'NODE_OPTIONS' || key.startsWith('VITEST') || key === 'TEST') continue;
    env[key] = value;
  }
  return { ...env, CI: 'true', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...extra };
}

async function sh(command: string, args: string[], cwd: string, timeout = 300_000, env = cleanEnv()): Promise<string> {
  try {
    const { stdout, stderr } = await run(command, args, { cwd, timeout, env, maxBuffer: 64 * 1024 * 1024, killSignal: 'SIGKILL' });
    return stdout + stderr;
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) failed: ${failed.message}\n${failed.stdout ?? ''}\n${failed.stderr ?? ''}`);
  }
}

/**
 * `pnpm pack` every package (built first), then give each tarball a version no earlier run used, with the
 * internal dependencies pointing at it: npm and pnpm cache tarballs by name@version, so re-packing the same
 * version would install stale content.
 */
export async function packAll(dest: string): Promise<{ version: string; tarballs: Record<string, string>; sizes: Record<string, number> }> {
  const base = JSON.parse(readFileSync(join(REPO, 'packages/core/package.json'), 'utf8')).version as string;
  const version = `${base}-consumer.${Date.now()}`;
  const tarballs: Record<string, string> = {};
  const sizes: Record<string, number> = {};
  for (const name of PACKAGES) {
    const work = mkdtempSync(join(dest, `${name}-`));
    await sh('pnpm', ['pack', '--pack-destination', work], join(REPO, 'packages', name), 120_000);
    const packed = readdirSync(work).find((file) => file.endsWith('.tgz'))!;
    sizes[`@qwik-realtime/${name}`] = readFileSync(join(work, packed)).length;
    await sh('tar', ['-xzf', packed], work);
    const manifestPath = join(work, 'package/package.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    // A package packed half-built (or mid-rebuild) would fail later as a confusing type or import error.
    const targets = Object.values(manifest.exports as Record<string, Record<string, string>>).flatMap((entry) => Object.values(entry));
    const absent = targets.filter((target) => !existsSync(join(work, 'package', target)));
    if (absent.length > 0) throw new Error(`@qwik-realtime/tests: @qwik-realtime/${name} packed without ${absent.join(', ')}: build the packages first`);
    manifest.version = version;
    for (const field of ['dependencies', 'peerDependencies']) {
      for (const dep of Object.keys(manifest[field] ?? {})) if (dep.startsWith('@qwik-realtime/')) manifest[field][dep] = version;
    }
    writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    const tarball = join(dest, `qwik-realtime-${name}-${version}.tgz`);
    await sh('tar', ['-czf', tarball, 'package'], work);
    tarballs[`@qwik-realtime/${name}`] = tarball;
    rmSync(work, { recursive: true, force: true });
  }
  return { version, tarballs, sizes };
}

/**
 * The starter app with its dependencies and the adapter installed, cached in the OS temp dir keyed by the
 * pinned versions (the slow part: ~90 s of npm install on a fresh machine, ~3 s to copy).
 */
export async function skeleton(log: (line: string) => void): Promise<string> {
  const { stdout: npmVersion } = await run('npm', ['--version'], { env: cleanEnv() });
  const key = createHash('sha256').update([CREATE_QWIK, ADAPTER, REDIS, process.version, npmVersion.trim()].join('|')).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), `qwik-realtime-consumer-skeleton-${key}`);
  if (existsSync(join(dir, '.complete'))) return dir;
  const work = `${dir}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(dirname(work), { recursive: true });
  log(`creating the app skeleton in ${dir}`);
  await sh('npm', ['create', '--yes', CREATE_QWIK, '--', 'empty', work], tmpdir());
  await sh('npm', ['install', '--prefer-offline'], work, 600_000);
  await sh('npx', ['qwik', 'add', ADAPTER, '--skipConfirmation=true'], work);
  await sh('npm', ['install', '--prefer-offline', REDIS], work);
  writeFileSync(join(work, '.complete'), `${CREATE_QWIK} ${ADAPTER} ${REDIS}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(work, dir);
  return dir;
}

/** A copy of the skeleton with the tarballs installed as the README says and the README's code written in. */
export interface ConsumerApp {
  readonly dir: string;
  readonly blocks: ReadmeBlock[];
  /** Write a README block (or the given text) to its file. */
  write(block: ReadmeBlock): void;
  writeText(file: string, text: string): void;
  /** `npm run <script>` in the app. */
  npmRun(script: string, timeoutMs?: number): Promise<string>;
  remove(): Promise<void>;
}

export async function createConsumerApp(tarballs: Record<string, string>, log: (line: string) => void): Promise<ConsumerApp> {
  const skeletonDir = await skeleton(log);
  const dir = mkdtempSync(join(tmpdir(), 'qwik-realtime-consumer-app-'));
  cpSync(skeletonDir, dir, { recursive: true });
  const blocks = readmeBlocks();
  const wanted = installedPackages(blocks);
  const missing = Object.keys(tarballs).filter((name) => !wanted.includes(name));
  if (missing.length > 0) throw new Error(`@qwik-realtime/tests: the README's install line misses ${missing.join(', ')}`);
  // --prefer-offline: what is in npm's cache is used without asking the registry again (a fresh machine still downloads).
  await sh('npm', ['install', '--prefer-offline', '-D', ...wanted.map((name) => tarballs[name]!)], dir, 300_000);

  const writeText = (file: string, text: string) => {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  };
  const write = (block: ReadmeBlock) => {
    if (!block.file) throw new Error('@qwik-realtime/tests: a README block without a file name');
    const path = join(dir, block.file);
    const edits = block.body.includes('// ...');
    writeText(block.file, edits ? patchFile(readFileSync(path, 'utf8'), block) : `${block.body.join('\n')}\n`);
  };
  return {
    dir,
    blocks,
    write,
    writeText,
    npmRun: (script, timeoutMs = 300_000) => sh('npm', ['run', script], dir, timeoutMs),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A free loopback port (the server restarts on the same one, so the page's origin stays the same). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The app's production server (`npm run serve` = `node server/entry.node-server`) as a child process. */
export interface ProductionServer {
  readonly url: string;
  readonly output: () => string;
  /** SIGKILL: the process dies without closing anything, as in a crash. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after 5 s. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startProductionServer(dir: string, port: number, env: Record<string, string> = {}): Promise<ProductionServer> {
  const child = spawn(process.execPath, ['server/entry.node-server.js'], {
    cwd: dir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: cleanEnv({ NODE_ENV: 'production', PORT: String(port), ...env }),
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the production server did not start in 30 s:\n${output}`)), 30_000);
    const check = () => {
      if (output.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the production server exited with ${code}:\n${output}`));
    });
  }).catch(async (error: unknown) => {
    await signal(child, 'SIGKILL');
    throw error;
  });
  return {
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    kill: () => signal(child, 'SIGKILL'),
    stop: () => signal(child, 'SIGTERM'),
  };
}

async function signal(child: ChildProcess, name: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const pid = child.pid;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(-pid, name);
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
