import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'protocol/index': 'src/protocol/index.ts', 'testing/index': 'src/testing/index.ts', 'host/index': 'src/host/index.ts', 'host/worker': 'src/host/worker.ts' },
  format: ['esm'],
  dts: true,
  clean: true,
  // No maps in the tarball: without the sources (not shipped) they are 60 % of its size and map to nothing.
  sourcemap: false,
  target: 'es2022',
  treeshake: true,
  external: ['eventsource-parser'],
});
