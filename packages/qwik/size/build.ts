import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

/**
 * Bundle each size entry (`sse.js`, `default.js`) the way an app's production build would see the library:
 * minified, tree-shaken, `@qwik-realtime/core` included, Qwik itself left out (every Qwik app has it).
 * Code the library loads on first use (`import()`, e.g. publishing) becomes `<entry>-lazy-<name>.js`.
 * `size-limit` then measures the files named in `.size-limit.json` at the repository root, gzipped.
 * Needs `pnpm --filter "@qwik-realtime/qwik..." run build` first. Run: `node --import tsx packages/qwik/size/build.ts`.
 */
const here = fileURLToPath(new URL('.', import.meta.url));
const entries = ['sse', 'default'] as const;
rmSync(`${here}dist`, { recursive: true, force: true });

for (const entry of entries) {
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
        // Shared code stays in the entry (the lazy chunks import it from there), as in an app's build.
        preserveEntrySignatures: 'allow-extension',
        // Vite's preload helper wraps every `import()`; Qwik's plugin puts it in the app's `qwik-preloader`
        // chunk, which every Qwik app loads anyway (QRL segments are imported the same way).
        external: [/^@builder\.io\/qwik/, /vite\/preload-helper/],
        output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: `${entry}-lazy-[name].js` },
      },
    },
  });
}

// Nothing a page can load may escape the budget: every lazy chunk of the SSE-only build must be measured
// by an entry of .size-limit.json, and the default chain must split the same way (its chunks are the same code).
const files = readdirSync(`${here}dist`);
const lazy = (entry: string) =>
  files
    .filter((name) => name.startsWith(`${entry}-lazy-`))
    .map((name) => name.slice(entry.length))
    .sort();
const measured = (JSON.parse(readFileSync(`${here}../../../.size-limit.json`, 'utf8')) as { path: string }[]).map(
  ({ path }) => new RegExp(`^${path.replace(/.*\//, '').replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`),
);
const unmeasured = lazy('sse').filter((name) => !measured.some((pattern) => pattern.test(`sse${name}`)));
if (unmeasured.length > 0) throw new Error(`lazy chunks no size-limit entry measures: ${unmeasured.map((name) => `sse${name}`).join(', ')}`);
if (lazy('sse').join() !== lazy('default').join()) {
  throw new Error(`the SSE-only and default builds split differently: ${lazy('sse').join(', ')} / ${lazy('default').join(', ')}`);
}
for (const entry of entries) console.log(`${entry}: ${[`${entry}.js`, ...lazy(entry).map((name) => `${entry}${name}`)].join(', ')}`);
