import { defineConfig } from 'vitest/config';

/** The `docs` test project: every ts/tsx block of docs/ compiles. Run: `pnpm exec vitest run --config tests/docs/vitest.config.ts`. */
export default defineConfig({
  test: { name: 'docs', environment: 'node', include: ['tests/docs/**/*.test.ts'], root: new URL('../..', import.meta.url).pathname, testTimeout: 400_000 },
});
