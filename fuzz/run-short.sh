#!/usr/bin/env bash
# A short fuzz run of both targets, seeded with the generated fixture corpus and the real
# snapshots. Prints executions and crashes per target; exits 1 if any target crashed, hung
# (-timeout) or ran out of memory (-rss_limit_mb), 2 if it could not run.
#
#   fuzz/run-short.sh [SECONDS] [TARGET...]   default: 60 s shared by the targets verify and mutate
#
# Works on stable Rust: cargo-fuzz's -Z flags are accepted with RUSTC_BOOTSTRAP=1. Installs
# cargo-fuzz when it is missing. Builds with debug assertions and overflow checks (-a), so an
# arithmetic overflow on a hostile field is a crash, and without a sanitizer by default: the
# workspace forbids unsafe code, and AddressSanitizer makes verify about ten times slower (it
# allocates fixed per-entry buffers). FUZZ_SANITIZER=address brings it back, for the unsafe code
# of the dependencies (zlib-rs, crc32fast).
#
# Limits per input: -timeout=10 (a hang is a crash), -rss_limit_mb=2048 (so is running out of
# memory). Crash inputs land in fuzz/artifacts/TARGET/; minimize one with
#   RUSTC_BOOTSTRAP=1 cargo fuzz tmin -O -a -s none TARGET fuzz/artifacts/TARGET/crash-...
# A long run (one worker, in the background) is the same command with more seconds:
#   nohup fuzz/run-short.sh 1800 > /tmp/fuzz-long.log 2>&1 &
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(verify mutate)
per=$(( secs / ${#targets[@]} ))
[ "$per" -ge 1 ] || per=1
flags=(-O -a -s "${FUZZ_SANITIZER:-none}")

export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

# Seeds: every era sample and hostile case, the real snapshots (verify reads whole archives),
# and one byte per base archive (mutate reads "base index, then edits").
seeds=corpus/seeds
rm -rf "$seeds" && mkdir -p "$seeds" corpus/verify corpus/mutate corpus/mutate-seeds
cargo run -q --release --manifest-path ../Cargo.toml -p snapshot-tests --bin gen-fixtures -- "$seeds" >/dev/null
rm -f "$seeds/INDEX.md"
if [ -d ../../shared/fixtures/real ]; then cp ../../shared/fixtures/real/*.zip "$seeds/" 2>/dev/null || true; fi
for i in $(seq 0 31); do printf "\\x$(printf %02x "$i")" > "corpus/mutate-seeds/base-$i"; done

for t in "${targets[@]}"; do
  cargo fuzz build "${flags[@]}" "$t" >corpus/build.log 2>&1 || { tail -n 30 corpus/build.log >&2; echo "fuzz: build of $t failed" >&2; exit 2; }
done

status=0
for t in "${targets[@]}"; do
  case "$t" in
    verify) dirs=(corpus/verify "$seeds"); max_len=1048576 ;;
    mutate) dirs=(corpus/mutate corpus/mutate-seeds); max_len=512 ;;
    *) dirs=("corpus/$t"); max_len=1048576 ;;
  esac
  log=$(mktemp)
  start=$(date +%s)
  set +e
  cargo fuzz run "${flags[@]}" "$t" "${dirs[@]}" -- \
    -max_total_time="$per" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" \
    -print_final_stats=1 >"$log" 2>&1
  rc=$?
  set -e
  took=$(( $(date +%s) - start ))
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -n 1)
  [ -n "$execs" ] || execs=$(grep -o '^#[0-9]*' "$log" | tail -n 1 | tr -d '#')
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*' || true)
  slowest=$(grep -o 'stat::slowest_unit_time_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -n 1 || true)
  rss=$(grep -o 'stat::peak_rss_mb: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -n 1 || true)
  crashes=$(grep -c 'Test unit written to' "$log" || true)  # libFuzzer stops at the first one
  if [ "$rc" -ne 0 ]; then
    status=1
    [ "$crashes" -gt 0 ] || crashes=1
    echo "fuzz $t: FAILED (exit $rc) after ${execs:-?} executions in ${took}s" >&2
    grep -E 'panicked|ERROR|SUMMARY|Test unit written|Base64' "$log" | head -n 12 >&2
  fi
  echo "fuzz $t: ${execs:-0} executions, ${crashes} crashes, ${took}s, slowest input ${slowest:-?}s, peak RSS ${rss:-?} MB, coverage ${cov:-?}, corpus $(find "${dirs[0]}" -type f | wc -l) inputs"
  rm -f "$log"
done
exit "$status"
