#!/usr/bin/env bash
# A short fuzz run (default 60 s) seeded with the generated fixture corpus. Needs cargo-fuzz;
# stable rustc accepts its -Z flags with RUSTC_BOOTSTRAP=1. Usage: fuzz/run-short.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-60}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
mkdir -p corpus/verify
cargo run -q --release --manifest-path ../Cargo.toml -p snapshot-tests --bin gen-fixtures -- corpus/verify >/dev/null
[ -d ../../shared/fixtures/real ] && cp ../../shared/fixtures/real/*.zip corpus/verify/ 2>/dev/null || true
export RUSTC_BOOTSTRAP=1
cargo fuzz run verify corpus/verify -- -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -max_len=1048576 2>&1 | tail -n 5
