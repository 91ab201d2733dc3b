#!/usr/bin/env bash
# Builds the browser module into www/pkg (git-ignored): ES module glue, TypeScript types and
# snapshot_wasm_bg.wasm.
#   scripts/build-wasm.sh            release build, without test hooks (what the page ships)
#   scripts/build-wasm.sh --testing  release build with the `testing` feature: the test hooks
#                                    (debug_panic, BlobProbe, the page's metrics) that the
#                                    browser tests and the benchmark use (they build it this way)
#   WASM_OPT=0 scripts/build-wasm.sh skip wasm-opt even when npm's binaryen is installed
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1mbuild-wasm:\033[0m %s\n' "$*" >&2; }

features=()
for arg in "$@"; do
  case "$arg" in
    --testing) features=(--features testing) ;;
    *) say "unknown argument '$arg' (usage: scripts/build-wasm.sh [--testing])"; exit 2 ;;
  esac
done

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "the wasm32-unknown-unknown target is missing: run scripts/setup.sh"; exit 2
fi
if ! command -v wasm-bindgen >/dev/null; then
  say "wasm-bindgen (wasm-bindgen-cli) is missing: run scripts/setup.sh"; exit 2
fi

# .cargo/config.toml adds -C target-feature=+simd128 for this target.
cargo build --release -p snapshot-wasm --target wasm32-unknown-unknown "${features[@]}"
wasm=target/wasm32-unknown-unknown/release/snapshot_wasm.wasm

rm -rf www/pkg
# --experimental-reset-state-function: lets the worker re-instantiate the module after a trap.
wasm-bindgen --target web --experimental-reset-state-function --out-dir www/pkg "$wasm"
out=www/pkg/snapshot_wasm_bg.wasm

# Optional size/speed pass with wasm-opt from npm's binaryen (installed by setup.sh into
# www/node_modules; never downloaded here). The feature flags match what rustc 1.87+ emits.
wasm_opt=www/node_modules/.bin/wasm-opt
if [ "${WASM_OPT:-1}" = 1 ] && [ -x "$wasm_opt" ]; then
  before=$(stat -c %s "$out")
  "$wasm_opt" -O3 --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue "$out" -o "$out.opt"
  mv "$out.opt" "$out"
  say "wasm-opt -O3: $before -> $(stat -c %s "$out") bytes"
fi

size=$(stat -c %s "$out")
gz=$(gzip -9 -c "$out" | wc -c)
say "$out: $size bytes ($gz gzipped)${features[*]:+, with test hooks}"
