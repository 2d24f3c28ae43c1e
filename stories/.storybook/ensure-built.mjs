// Run before `storybook dev` / `storybook build` (see stories/package.json).
// The stories use the packages' sources (stories/vite.config.ts), but the Qwik Vite plugin also scans the
// stories' dependencies for Qwik libraries and resolves each one's "qwik" entry. On a fresh clone
// packages/qwik/lib/index.qwik.mjs does not exist yet and every start printed two ENOENT stack traces: build
// the library once (Vite library mode, a few seconds; no types, nothing else).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../../packages/qwik/lib/index.qwik.mjs', import.meta.url));
if (!existsSync(entry)) {
  console.log('@qwik-realtime/stories: first start, building the Qwik library entry once (packages/qwik/lib)');
  execFileSync('pnpm', ['--filter', '@qwik-realtime/qwik', 'exec', 'vite', 'build', '--mode', 'lib', '--logLevel', 'warn'], {
    stdio: 'inherit',
  });
}
