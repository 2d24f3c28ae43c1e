import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(`./packages/${path}`, import.meta.url));

/**
 * Tests import the packages' sources, so no build is needed before `vitest`. One alias per `exports` entry
 * of each package.json and nothing else: a test can import only what a user can.
 */
export const workspaceAliases = [
  { find: /^@qwik-realtime\/core\/protocol$/, replacement: src('core/src/protocol/index.ts') },
  { find: /^@qwik-realtime\/core\/testing$/, replacement: src('core/src/testing/index.ts') },
  { find: /^@qwik-realtime\/core\/host$/, replacement: src('core/src/host/index.ts') },
  { find: /^@qwik-realtime\/core$/, replacement: src('core/src/index.ts') },
  { find: /^@qwik-realtime\/qwik\/server$/, replacement: src('qwik/src/server/index.ts') },
  { find: /^@qwik-realtime\/server\/vite$/, replacement: src('server/src/vite.ts') },
  { find: /^@qwik-realtime\/server\/qwik-city$/, replacement: src('server/src/qwik-city.ts') },
  { find: /^@qwik-realtime\/server\/redis$/, replacement: src('server/src/brokers/redis.ts') },
  { find: /^@qwik-realtime\/server\/nats$/, replacement: src('server/src/brokers/nats.ts') },
  { find: /^@qwik-realtime\/server\/rabbitmq$/, replacement: src('server/src/brokers/rabbitmq.ts') },
  { find: /^@qwik-realtime\/server\/metrics$/, replacement: src('server/src/metrics.ts') },
  { find: /^@qwik-realtime\/server$/, replacement: src('server/src/index.ts') },
];

export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    teardownTimeout: 10_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: ['packages/core/src/**/*.test.ts', 'packages/server/src/**/*.test.ts', 'tests/integration/**/*.test.ts', 'tests/brokers/**/*.test.ts', 'bench/**/*.test.ts'],
          // bench/.build holds copies of the packages at another revision (bench/storm.ts --src=REV), tests included.
          exclude: ['**/node_modules/**', 'bench/.build/**'],
        },
      },
      // Qwik component tests (qwikVite + node environment), see packages/qwik/vitest.config.ts.
      'packages/qwik/vitest.config.ts',
      // Unit tests of the stand-in broker behind the stories.
      {
        extends: true,
        test: { name: 'stories', environment: 'node', include: ['stories/stand-in-broker/**/*.test.ts', 'stories/*.test.ts'] },
      },
      // Stories driven in Chromium against the stand-in broker; needs `pnpm build-storybook` first.
      {
        extends: true,
        test: {
          name: 'e2e-stories',
          environment: 'node',
          include: ['tests/e2e/stories-*.test.ts'],
          testTimeout: 90_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          // The packed tarballs in an app from the official Qwik starter, built and served in production,
          // in Chromium; needs the packages built first (scripts/test.sh).
          name: 'consumer',
          environment: 'node',
          include: ['tests/consumer/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 1_100_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          // Qwik bindings in Chromium against tests/qwik-app; needs the packages and the app built first.
          name: 'e2e-qwik',
          environment: 'node',
          include: ['tests/e2e/qwik-*.test.ts', 'tests/e2e/high-rate-*.test.ts', 'tests/e2e/worker-*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
