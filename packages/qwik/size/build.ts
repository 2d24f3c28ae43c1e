import { readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

/**
 * Bundle each size entry (`sse.js`, `default.js`) the way an app's production build would see the library:
 * minified, tree-shaken, `@qwik-realtime/core` included, Qwik itself left out (every Qwik app has it).
 * `size-limit` then measures `dist/<entry>.js` gzipped (see `.size-limit.json` at the repository root).
 * Needs `pnpm --filter "@qwik-realtime/qwik..." run build` first. Run: `node --import tsx packages/qwik/size/build.ts`.
 */
const here = fileURLToPath(new URL('.', import.meta.url));
rmSync(`${here}dist`, { recursive: true, force: true });

for (const entry of ['sse', 'default']) {
  await build({
    configFile: false,
    root: here,
    logLevel: 'warn',
    build: {
      outDir: `${here}dist`,
      emptyOutDir: false,
      minify: 'esbuild',
      target: 'es2022',
      modulePreload: false,
      rollupOptions: {
        input: { [entry]: `${here}${entry}.js` },
        preserveEntrySignatures: 'exports-only',
        external: [/^@builder\.io\/qwik/],
        output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: `${entry}-lazy-[name].js` },
      },
    },
  });
}

// The budget measures the entry files only: a lazy chunk (an `import()` somewhere in the stack) would be
// code a page can load that no budget sees.
const lazy = readdirSync(`${here}dist`).filter((name) => name.includes('-lazy-'));
if (lazy.length > 0) throw new Error(`size entries split into lazy chunks the budget does not measure: ${lazy.join(', ')}`);
