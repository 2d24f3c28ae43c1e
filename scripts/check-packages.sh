#!/usr/bin/env bash
# Packaging checks for every published package (run by scripts/test.sh after the builds):
# publint --strict, are-the-types-wrong on the packed tarball (ESM-only profile), and the tarball sizes.
set -euo pipefail
cd "$(dirname "$0")/.."

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for dir in packages/core packages/server packages/qwik; do
  echo "--- $dir"
  (cd "$dir" && pnpm exec publint --strict --pack pnpm)
  (cd "$dir" && pnpm exec attw --pack . --profile esm-only --format table-flipped)
  tarball=$(cd "$dir" && pnpm pack --pack-destination "$out" | tail -n 1)
  listing=$(tar -tzf "$tarball")
  for required in package/README.md package/LICENSE; do
    grep -qx "$required" <<<"$listing" || { echo "$dir: $required missing from the tarball" >&2; exit 1; }
  done
  if grep -q '\.map$' <<<"$listing"; then echo "$dir: source maps in the tarball" >&2; exit 1; fi
  if [ "$dir" = packages/server ]; then
    # prom-client is loaded by the metrics entry only: a hub without metrics never imports it.
    importers=$(mkdir -p "$out/server" && tar -xzf "$tarball" -C "$out/server" && cd "$out/server/package/dist" && grep -l "prom-client" -- *.js || true)
    [ "$importers" = metrics.js ] || { echo "$dir: prom-client imported by [$importers], expected metrics.js only" >&2; exit 1; }
  fi
  if grep -q '\.\./\.\./docs' <<<"$(tar -xzOf "$tarball" package/README.md)"; then echo "$dir: README links outside the package" >&2; exit 1; fi
  echo "$(basename "$tarball"): $(stat -c %s "$tarball") bytes packed, $(tar -xzOf "$tarball" | wc -c) bytes unpacked"
done
