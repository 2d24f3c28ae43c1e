/**
 * Builds the storm's child entries (storm-hub.ts, storm-load.ts) into plain JavaScript (see build.ts for why not
 * tsx), from the working tree or — `--src=<git rev>` — from the packages/core and packages/server sources of a
 * commit, so a run measures committed code while other edits are half-done in the tree.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Plugin } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const out = join(here, '.build');

/** Extract packages/core/src and packages/server/src of `rev` under bench/.build; returns that root and the commit. */
function snapshot(rev: string): { dir: string; commit: string } {
  const commit = execFileSync('git', ['rev-parse', rev], { cwd: root, encoding: 'utf8' }).trim();
  const dir = join(out, `src-${commit.slice(0, 12)}`);
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    execFileSync('/bin/sh', ['-c', `git archive ${commit} packages/core/src packages/server/src | tar -x -C "${dir}"`], { cwd: root });
  }
  return { dir, commit };
}

/** The core package by name, and every file of the two packages' sources, resolve under `srcRoot`. */
const sources = (srcRoot: string): Plugin => ({
  name: 'storm-sources',
  setup(b) {
    b.onResolve({ filter: /^@qwik-realtime\/core(\/protocol)?$/ }, (args) => ({
      path: join(srcRoot, 'packages/core/src', args.path.endsWith('/protocol') ? 'protocol/index.ts' : 'index.ts'),
    }));
    b.onResolve({ filter: /packages\/(core|server)\/src\// }, (args) => {
      const path = resolve(args.resolveDir, args.path);
      if (!path.startsWith(root) || path.startsWith(srcRoot)) return undefined;
      return { path: join(srcRoot, relative(root, path)).replace(/\.js$/, '.ts') };
    });
  },
});

/**
 * Bundle `storm-hub.ts` and `storm-load.ts` into bench/.build (suffix `name`), core and server from `rev`'s
 * sources when given. Returns the two files, the commit measured (or `working tree`) and a cleanup.
 */
export async function buildStormEntries(name: string, rev?: string) {
  mkdirSync(out, { recursive: true });
  if (!existsSync(join(out, 'node_modules'))) symlinkSync(resolve(here, '../packages/server/node_modules'), join(out, 'node_modules'), 'dir');
  const snap = rev ? snapshot(rev) : undefined;
  const bundle = async (entry: string) => {
    const outfile = join(out, `${entry.replace(/\.ts$/, '')}-${name}.mjs`);
    await build({
      entryPoints: [join(here, entry)],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // Third-party packages stay packages, as in the published build.
      external: ['ws', 'redis', '@nats-io/*', 'prom-client'],
      logLevel: 'warning',
      // A snapshot's files find the packages' dependencies where the tree installed them.
      nodePaths: [join(root, 'packages/core/node_modules'), join(root, 'packages/server/node_modules')],
      plugins: [sources(snap?.dir ?? root)],
    });
    return outfile;
  };
  const [hub, load] = await Promise.all([bundle('storm-hub.ts'), bundle('storm-load.ts')]);
  return {
    hub,
    load,
    source: snap ? snap.commit : 'working tree',
    cleanup: () => {
      for (const file of [hub, load]) rmSync(file, { force: true });
      if (snap) rmSync(snap.dir, { recursive: true, force: true });
    },
  };
}
