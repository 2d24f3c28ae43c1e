import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PACKAGE = fileURLToPath(new URL('../../packages/qwik', import.meta.url));

interface Manifest {
  qwik?: string;
  exports: Record<string, { types: string; import: string }>;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
}

/** What a consumer installs: the packed `@qwik-realtime/qwik` (after `pnpm --filter "@qwik-realtime/qwik..." run build`). */
describe('@qwik-realtime/qwik as packed', () => {
  let dir: string;
  let files: string[];
  let manifest: Manifest;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'qwik-realtime-pack-'));
    execFileSync('pnpm', ['pack', '--pack-destination', dir], { cwd: PACKAGE, stdio: 'pipe', timeout: 60_000 });
    const tarball = readdirSync(dir).find((name) => name.endsWith('.tgz'))!;
    execFileSync('tar', ['-xzf', tarball], { cwd: dir, timeout: 30_000 });
    files = execFileSync('tar', ['-tzf', tarball], { cwd: dir, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((name) => name.replace(/^package\//, ''));
    manifest = JSON.parse(readFileSync(join(dir, 'package/package.json'), 'utf8')) as Manifest;
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('GIVEN the tarball THEN the "qwik" field and every export point at files it contains (.qwik.mjs + types)', () => {
    expect(manifest.qwik).toBe('./lib/index.qwik.mjs');
    expect(files).toContain('lib/index.qwik.mjs');
    for (const [entry, target] of Object.entries(manifest.exports)) {
      expect(files, entry).toContain(target.import.replace(/^\.\//, ''));
      expect(files, entry).toContain(target.types.replace(/^\.\//, ''));
      expect(target.import, entry).toMatch(/\.qwik\.mjs$/);
    }
  });

  it('GIVEN the tarball THEN workspace links became versions, Qwik is a peer, and no tests are shipped', () => {
    expect(manifest.dependencies['@qwik-realtime/core']).toMatch(/^\d+\.\d+\.\d+/);
    expect(manifest.peerDependencies['@builder.io/qwik']).toMatch(/^\^1\.20/);
    expect(files.filter((name) => /test/.test(name))).toEqual([]);
  });

  it('GIVEN the browser entry THEN none of its modules imports node built-ins or the server helpers', () => {
    const browserModules = files.filter((name) => name.startsWith('lib/') && !name.startsWith('lib/server/'));
    expect(browserModules.length).toBeGreaterThan(10);
    for (const name of browserModules) {
      const code = readFileSync(join(dir, 'package', name), 'utf8');
      expect(code, name).not.toMatch(/from\s+["']node:/);
      expect(code, name).not.toMatch(/from\s+["'][^"']*\/server\//);
      expect(code, name).not.toMatch(/@qwik-realtime\/server/);
    }
  });

  it('GIVEN the modules THEN $ calls are kept for the app optimizer and dependencies stay external', () => {
    // The feed (shared by useChannel$, LiveFeed and ConnectionStatus) holds the browser-only task.
    const feed = readFileSync(join(dir, 'package/lib/use-feed.qwik.mjs'), 'utf8');
    expect(feed).toMatch(/useVisibleTask\$\(/);
    expect(feed).toMatch(/from "@builder\.io\/qwik"/);
    const channel = readFileSync(join(dir, 'package/lib/use-channel.qwik.mjs'), 'utf8');
    expect(channel).toMatch(/\$\(\(data, publishOptions\)/);
    const registry = readFileSync(join(dir, 'package/lib/create-client.qwik.mjs'), 'utf8');
    expect(registry).toMatch(/from "@qwik-realtime\/core"/);
  });
});
