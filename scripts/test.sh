#!/usr/bin/env bash
# The one test command (`pnpm test`). Every step runs under `timeout`, which kills the step's whole
# process group, so a hung test fails instead of eating the CI budget.
set -euo pipefail
cd "$(dirname "$0")/.."

step() {
  local limit=$1; shift
  echo "::: $* (limit ${limit}s)"
  timeout --kill-after=15 "$limit" "$@"
}

step 300 pnpm exec tsc -p tsconfig.json
step 1500 pnpm exec vitest run --project node

# Qwik bindings: typecheck, library build (core first: the qwik package's types import its dist), component tests.
step 200 pnpm exec tsc -p packages/qwik/tsconfig.json
step 300 pnpm --filter "@qwik-realtime/qwik..." run build
step 600 pnpm exec vitest run --project qwik
# Size budgets of the Qwik stack (.size-limit.json, gzip): bundle the size entries from the built packages, measure.
step 120 node --import tsx packages/qwik/size/build.ts
step 120 pnpm exec size-limit
# Every ts/tsx code block of docs/ type-checks against the packages.
step 400 pnpm exec vitest run --config tests/docs/vitest.config.ts
# Qwik bindings in Chromium: tests/qwik-app under vite dev on the built packages (server included).
step 300 pnpm --filter @qwik-realtime/server run build
# Packaging: publint --strict, are-the-types-wrong (ESM-only) and the tarballs' contents, for every package.
step 300 bash scripts/check-packages.sh
step 200 pnpm exec tsc -p tests/qwik-app/tsconfig.json
step 300 pnpm --filter @qwik-realtime/qwik-app run build
step 300 pnpm exec vitest run --project e2e-qwik
# High-rate feeds in Chromium, smoke only (the measured run is `node --import tsx bench/browser-run.ts`).
step 200 node --import tsx bench/browser-run.ts --smoke
# The packed tarballs in an app from the official Qwik starter (npm create qwik, qwik add node-server), the
# README's code written in, production build and server, in Chromium (the starter skeleton is cached in the OS temp dir).
step 200 pnpm exec tsc -p tests/consumer/tsconfig.json
step 1200 pnpm exec vitest run --project consumer
# Storybook: type-check the stories and the stand-in broker, build the static site, then drive every story
# in Chromium against the stand-in broker served beside the build.
step 300 pnpm exec tsc -p stories/tsconfig.json
step 120 pnpm exec vitest run --project stories
step 600 pnpm build-storybook
step 900 pnpm exec vitest run --project e2e-stories
