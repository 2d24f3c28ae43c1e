import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { workspaceAliases } from '../../../vitest.config.js';
import { build, transformWithEsbuild, type Rollup } from 'vite';

/**
 * Where the bytes of a size entry come from: bundles `<entry>.js` as `build.ts` does (in memory) and prints
 * each module's rendered code, minified and gzipped on its own (so the column sums to more than the bundle's
 * gzip, which shares a dictionary). Run: `node --import tsx packages/qwik/size/breakdown.ts sse`.
 */
const here = fileURLToPath(new URL('.', import.meta.url));
const entry = process.argv[2] ?? 'sse';
const output = (await build({
  configFile: false,
  root: here,
  // Core from source, so the rows are core's modules rather than its dist chunks.
  resolve: { alias: workspaceAliases.filter(({ find }) => String(find).includes('core')) },
  logLevel: 'warn',
  build: {
    write: false,
    minify: 'esbuild',
    target: 'es2022',
    modulePreload: false,
    rollupOptions: {
      input: { [entry]: `${here}${entry}.js` },
      preserveEntrySignatures: 'allow-extension',
      external: [/^@builder\.io\/qwik/, /vite\/preload-helper/],
      output: { format: 'es' },
    },
  },
})) as Rollup.RollupOutput;
const gz = (code: string) => gzipSync(code, { level: 9 }).length;
for (const chunk of output.output) {
  if (chunk.type !== 'chunk') continue;
  console.log(`\n${chunk.fileName}: ${chunk.code.length} B min, ${gz(chunk.code)} B gzip`);
  const rows: [string, number, number][] = [];
  for (const [id, info] of Object.entries(chunk.modules)) {
    if (!info.code) continue;
    const min = (await transformWithEsbuild(info.code, 'module.js', { minify: true, target: 'es2022' })).code;
    rows.push([id.replace(/.*\/packages\//, '').replace(/.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, ''), min.length, gz(min)]);
  }
  rows.sort((a, b) => b[2] - a[2]);
  for (const [id, min, zipped] of rows) console.log(`${String(zipped).padStart(6)} ${String(min).padStart(7)}  ${id}`);
}
