import { fileURLToPath } from 'node:url';
import { qwikVite } from '@builder.io/qwik/optimizer';
import { defineConfig } from 'vite';

const pkg = (path: string) => fileURLToPath(new URL(`../packages/${path}`, import.meta.url));

/**
 * Vite config Storybook's builder picks up. The stories import the packages' sources (no build step needed
 * for `pnpm storybook` on a fresh clone), so Qwik's optimizer also processes the bindings' `$` calls.
 */
export default defineConfig({
  plugins: [qwikVite()],
  resolve: {
    alias: [
      { find: /^@qwik-realtime\/core\/protocol$/, replacement: pkg('core/src/protocol/index.ts') },
      { find: /^@qwik-realtime\/core\/testing$/, replacement: pkg('core/src/testing/index.ts') },
      { find: /^@qwik-realtime\/core$/, replacement: pkg('core/src/index.ts') },
      { find: /^@qwik-realtime\/qwik\/server$/, replacement: pkg('qwik/src/server/index.ts') },
      { find: /^@qwik-realtime\/qwik\/transports\/(.+)$/, replacement: pkg('qwik/src/transports/$1.ts') },
      { find: /^@qwik-realtime\/qwik$/, replacement: pkg('qwik/src/index.ts') },
    ],
  },
});
