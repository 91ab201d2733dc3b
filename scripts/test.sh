#!/usr/bin/env bash
# Runs every test: formatting, lints (native and wasm32), docs, the Rust test suites, the wasm
# build, the browser tests in headless Chromium, and a short fuzz run when cargo-fuzz is present.
# Installs what it needs first (scripts/setup.sh is idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
# Missing real fixtures (../shared/fixtures/real), a CLI that does not build for the browser
# parity test or a failed fixture generator in the page tests fail the run here; a plain
# `cargo test` or `npm test` only prints a notice for them.
export SNAPSHOT_VERIFY_REQUIRE_FIXTURES=1
# Each step header says how long the run has taken so far (CI's budget is a 2-core clean clone).
START=$SECONDS
step() { printf '\n\033[1m== %s\033[0m  (%d s so far)\n' "$*" "$((SECONDS - START))"; }

step setup
scripts/setup.sh

step "cargo fmt --check"
cargo fmt --all -- --check

step "clippy (native)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "clippy (wasm32)"
cargo clippy -p snapshot-core -p snapshot-wasm --target wasm32-unknown-unknown --locked -- -D warnings
cargo clippy -p snapshot-wasm --features testing --target wasm32-unknown-unknown --locked -- -D warnings

step "docs"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked --quiet

step "cargo test"
INSTA_UPDATE=no cargo test --workspace --locked

step "restore oracle (Cloudify's restore code over every generated fixture)"
scripts/oracle-check.sh

# deflate-split is an experiment outside the workspace (its own [workspace]); built and tested
# here so it does not rot, in the same target folder so that shared dependencies build once.
step "deflate-split (own workspace): clippy, docs, tests"
DS=(--manifest-path deflate-split/Cargo.toml --locked --target-dir target)
cargo clippy "${DS[@]}" --all-targets -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc "${DS[@]}" --no-deps --quiet
cargo test "${DS[@]}"

if [ -f www/package.json ]; then
  step "wasm build (with the test hooks the browser tests use)"
  scripts/build-wasm.sh --testing
  step "CLI release build (parity tests)"
  cargo build --release --locked -p snapshot-verify -p snapshot-tests
  step "browser tests (headless Chromium)"
  (cd www && npm test)
fi

if [ -f tests/stage-harness/package.json ]; then
  step "npm package in a Stage-like app (tsc 4, webpack 5, Vite, headless Chromium)"
  (cd tests/stage-harness && npm test)
fi

if [ -x fuzz/run-short.sh ]; then
  step "short fuzz run"
  fuzz/run-short.sh
fi
printf '\nall tests passed in %d s\n' "$((SECONDS - START))"
