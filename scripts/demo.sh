#!/usr/bin/env bash
# The main job: builds everything, generates the bundled sample snapshot, verifies it with the
# CLI (full level, SHA-256), then serves the upload dialog at a printed localhost URL.
#   scripts/demo.sh            # PORT=8080 by default
# Stop the server with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step setup
SETUP_BROWSER=0 scripts/setup.sh

step "build the CLI and the fixture generator"
cargo build --release --locked -p snapshot-verify -p snapshot-tests

step "generate the sample snapshot"
mkdir -p target/sample
sample=target/sample/sample-snapshot-6.4.0.zip
target/release/gen-fixtures --sample "$sample"

step "verify it: snapshot-verify check --level full --sha256 $sample"
status=0
target/release/snapshot-verify check --level full --sha256 --target-version 7.0.4 "$sample" || status=$?
echo "(exit code $status: 0 = no errors, 1 = errors found, 2 = could not run)"

step "build the browser module"
scripts/build-wasm.sh

step "serve the upload dialog (drop $sample or any snapshot on it)"
exec node scripts/serve.mjs
