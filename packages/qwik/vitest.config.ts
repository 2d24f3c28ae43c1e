import { qwikVite } from '@builder.io/qwik/optimizer';
import { defineProject } from 'vitest/config';
import { workspaceAliases } from '../../vitest.config.js';

/**
 * The `qwik` test project: component tests with `createDOM` from `@builder.io/qwik/testing`, which works
 * only in vitest's `node` environment (it brings its own DOM).
 */
export default defineProject({
  plugins: [qwikVite()],
  resolve: { alias: workspaceAliases },
  test: {
    name: 'qwik',
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 30_000,
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
  },
});
