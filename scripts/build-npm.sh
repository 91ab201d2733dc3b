#!/usr/bin/env bash
# Builds the npm package snapshot-verify-browser from a clean build and packs it:
#   scripts/build-npm.sh        → npm/dist/ (the package folder) and npm/snapshot-verify-browser.tgz
# Steps: the release wasm (scripts/build-wasm.sh: no test hooks), then the client, the worker and
# their types from www/lib, the wasm-bindgen glue from www/pkg and the React bindings from
# npm/src/react, side by side as the client expects (lib/ next to pkg/); the version is the
# workspace's (Cargo.toml [workspace.package]). `npm pack` makes the tarball.
#   SKIP_WASM=1 scripts/build-npm.sh   reuse www/pkg as it is (it must be a release build)
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1mbuild-npm:\033[0m %s\n' "$*" >&2; }

version=$(awk '/^\[workspace.package\]/{w=1; next} /^\[/{w=0} w && /^version *=/{gsub(/[" ]/,"",$0); sub(/^version=/,"",$0); print; exit}' Cargo.toml)
[ -n "$version" ] || { say "no version in Cargo.toml [workspace.package]"; exit 2; }

if [ "${SKIP_WASM:-0}" != 1 ]; then scripts/build-wasm.sh; fi
if grep -q debug_panic www/pkg/snapshot_wasm.js; then
  say "www/pkg was built with the test hooks (--testing); run scripts/build-wasm.sh without it"; exit 2
fi

dist=npm/dist
rm -rf "$dist"
mkdir -p "$dist/lib" "$dist/pkg" "$dist/react"
cp www/lib/snapshot-client.js www/lib/snapshot-client.d.ts www/lib/report.d.ts www/lib/snapshot-worker.js "$dist/lib/"
# The worker reads the test hook with Reflect.get, so webpack 5 accepts the release glue
# (which lacks it) without configuration; fail loudly if a static read comes back.
if grep -q 'glue\.debug_panic' "$dist/lib/snapshot-worker.js"; then say "the worker reads glue.debug_panic statically: webpack 5 rejects that"; exit 2; fi
# Every file of the module build: the glue, its types and each wasm (the client may pick between
# more than one, e.g. a SIMD build and one without).
cp www/pkg/*.js www/pkg/*.d.ts www/pkg/*.wasm "$dist/pkg/"
cp npm/src/react/*.js npm/src/react/*.d.ts "$dist/react/"
cp npm/README.md "$dist/"
node -e '
  const fs = require("fs");
  const [src, out, version] = process.argv.slice(1);
  const pkg = JSON.parse(fs.readFileSync(src, "utf8"));
  pkg.version = version;
  fs.writeFileSync(out, JSON.stringify(pkg, null, 2) + "\n");
' npm/package.json "$dist/package.json" "$version"

rm -f npm/*.tgz
tarball=$(cd "$dist" && npm pack --silent --pack-destination .. 2>/dev/null | tail -1)
mv "npm/$tarball" npm/snapshot-verify-browser.tgz
say "npm/snapshot-verify-browser.tgz: version $version, $(stat -c %s npm/snapshot-verify-browser.tgz) bytes"
# Issue 14's goal: every wasm of the package at most 300 KiB gzipped (gzip -9).
over=0
for wasm in "$dist"/pkg/*.wasm; do
  gz=$(gzip -9 -n -c "$wasm" | wc -c)
  say "  $(basename "$wasm"): $(stat -c %s "$wasm") bytes, $gz gzipped ($((gz / 1024)) KiB; goal 300 KiB)"
  if [ "$gz" -gt $((300 * 1024)) ]; then over=1; fi
done
if [ "$over" = 1 ]; then say "a wasm of the package is over 300 KiB gzipped (issue 14's goal)"; exit 1; fi
