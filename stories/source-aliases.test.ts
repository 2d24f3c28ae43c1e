import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sourceAliases } from './vite.config';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Every file under `dir` ending in .ts/.tsx/.mdx, skipping build output and dependencies. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return ['node_modules', 'dist', 'lib', 'lib-types', 'storybook-static'].includes(entry.name) ? [] : sources(path);
    return /\.(tsx?|mdx)$/.test(entry.name) ? [path] : [];
  });
}

describe('Storybook dev on a fresh clone (nothing built)', () => {
  it('GIVEN every @qwik-realtime/core and /qwik import the stories reach WHEN Vite resolves it THEN an alias maps it to source', () => {
    const aliases = [...sourceAliases('core'), ...sourceAliases('qwik')];
    const files = ['stories/src', 'stories/.storybook', 'packages/qwik/src', 'packages/core/src'].flatMap((dir) => sources(join(root, dir)));
    const specifiers = new Set<string>();
    for (const file of files) {
      for (const match of readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*['"](@qwik-realtime\/(?:core|qwik)[^'"]*)['"]/g)) specifiers.add(match[1]!);
    }
    expect(specifiers.size).toBeGreaterThan(5);
    const unresolved = [...specifiers].filter((specifier) => !aliases.some((alias) => (alias.find as RegExp).test(specifier)));
    expect(unresolved).toEqual([]);
  });
});
