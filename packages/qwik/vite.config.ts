import { qwikVite } from '@builder.io/qwik/optimizer';
import { defineConfig } from 'vite';
import pkg from './package.json' with { type: 'json' };

const deps = [...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies)];

/**
 * Library build: `.qwik.mjs` files, one per source module, with `$` calls left for the consuming app's
 * optimizer to split. Everything the package depends on stays external.
 */
export default defineConfig({
  build: {
    target: 'es2022',
    outDir: 'lib',
    emptyOutDir: true,
    minify: false,
    lib: {
      entry: {
        index: './src/index.ts',
        'server/index': './src/server/index.ts',
        'transports/websocket': './src/transports/websocket.ts',
        'transports/sse': './src/transports/sse.ts',
        'transports/fetch-sse': './src/transports/fetch-sse.ts',
        'transports/long-poll': './src/transports/long-poll.ts',
        'transports/default': './src/transports/default.ts',
        worker: './src/worker.ts',
      },
      formats: ['es'],
      fileName: (_format, entryName) => `${entryName}.qwik.mjs`,
    },
    rollupOptions: {
      output: { preserveModules: true, preserveModulesRoot: 'src', entryFileNames: '[name].qwik.mjs' },
      external: [/^node:/, ...deps.map((dep) => new RegExp(`^${dep.replace('/', '\\/')}(\\/.*)?$`))],
    },
  },
  plugins: [qwikVite()],
});
