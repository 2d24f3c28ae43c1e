import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { qwikVite } from '@builder.io/qwik/optimizer';
import { defineConfig } from 'vite';
import type { Alias } from 'vite';

const packages = fileURLToPath(new URL('../packages/', import.meta.url));

/**
 * One alias per `exports` entry of `packages/<name>`, from its built file to its source
 * (`./dist/host/index.js` → `src/host/index.ts`, `./lib/worker.qwik.mjs` → `src/worker.ts`). Derived, not
 * listed: an entry added later and missing here would fail only on a fresh clone, where nothing is built.
 */
export function sourceAliases(name: string): Alias[] {
  const manifest = JSON.parse(readFileSync(`${packages}${name}/package.json`, 'utf8')) as { exports: Record<string, { import: string }> };
  return Object.entries(manifest.exports).map(([entry, target]) => {
    const stem = target.import.replace(/^\.\/(dist|lib)\//, 'src/').replace(/(\.qwik)?\.m?js$/, '');
    const source = [`${stem}.ts`, `${stem}.tsx`].map((file) => `${packages}${name}/${file}`).find((file) => existsSync(file));
    if (!source) throw new Error(`stories/vite.config.ts: no source for @qwik-realtime/${name}${entry.slice(1)} (${target.import})`);
    const specifier = `@qwik-realtime/${name}${entry.slice(1)}`.replace(/[/.*+?^$()[\]{}|\\-]/g, '\\$&');
    return { find: new RegExp(`^${specifier}$`), replacement: source };
  });
}

/**
 * Vite config Storybook's builder picks up. The stories import the packages' sources (no build step needed
 * for `pnpm storybook` on a fresh clone), so Qwik's optimizer also processes the bindings' `$` calls.
 */
export default defineConfig({
  plugins: [qwikVite()],
  resolve: { alias: [...sourceAliases('core'), ...sourceAliases('qwik')] },
});
