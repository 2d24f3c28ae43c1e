/**
 * Builds the server under test into plain JavaScript, as the published package is built (esbuild, no
 * `keepNames`). Running it under tsx instead would measure tsx: its `keepNames` gives every closure a
 * dictionary of properties (~250 bytes each, ~7 KB per hub connection) and costs CPU on every closure made.
 */
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Plugin } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const serverSrc = resolve(here, '../packages/server/src');

/** Resolves the core package to its source (bundled, so a rebuild of packages/core/dist cannot break a run). */
const coreSource: Plugin = {
  name: 'core-source',
  setup(b) {
    b.onResolve({ filter: /^@qwik-realtime\/core(\/protocol)?$/ }, (args) => ({
      path: resolve(here, '../packages/core/src', args.path.endsWith('/protocol') ? 'protocol/index.ts' : 'index.ts'),
    }));
  },
};

/** Resolves the hub's source files to another copy of packages/server/src. */
const hubSource = (hubSrc: string): Plugin => ({
  name: 'hub-source',
  setup(b) {
    b.onResolve({ filter: /packages\/server\/src\// }, (args) => {
      const path = resolve(args.resolveDir, args.path);
      return { path: resolve(hubSrc, relative(serverSrc, path)).replace(/\.js$/, '.ts') };
    });
  },
});

/**
 * Bundle a bench entry (`server.ts`, `storm-hub.ts`) with the hub's source — from `hubSrc`, another copy of
 * packages/server/src such as an older commit, when given — into bench/.build as `<name>.mjs`; the hub's
 * dependencies resolve through a link to packages/server/node_modules. Returns the file to run.
 */
export async function buildHubEntry(entry: string, name: string, hubSrc?: string): Promise<string> {
  const out = join(here, '.build');
  mkdirSync(out, { recursive: true });
  if (!existsSync(join(out, 'node_modules'))) symlinkSync(resolve(here, '../packages/server/node_modules'), join(out, 'node_modules'), 'dir');
  const outfile = join(out, `${name}.mjs`);
  await build({
    entryPoints: [join(here, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // The hub's third-party dependencies stay packages (as in the published build); better-sse and the core
    // package's source are bundled, so a rebuild of packages/core/dist during a run cannot break it, and a
    // fresh clone (pnpm test's smoke) needs no built core.
    external: ['ws', 'redis', '@nats-io/*'],
    logLevel: 'warning',
    plugins: hubSrc ? [coreSource, hubSource(hubSrc)] : [coreSource],
  });
  return outfile;
}

/** Bundle bench/server.ts (see {@link buildHubEntry}). */
export function buildServer(label = 'current', hubSrc?: string): Promise<string> {
  return buildHubEntry('server.ts', `server-${label}`, hubSrc);
}
