#!/usr/bin/env bash
# A short fuzz run of every target, starting from the checked-in corpus (corpus/TARGET), the
# generated fixture corpus and the real snapshots. Prints executions and crashes per target;
# exits 1 if any target crashed, hung (-timeout) or ran out of memory (-rss_limit_mb), 2 if it
# could not run. CI runs it (scripts/test.sh); long runs are run-long.sh.
#
#   fuzz/run-short.sh [SECONDS] [TARGET...]   default: 60 s shared by every target
#
# Installs cargo-fuzz when it is missing; see common.sh for the build flags and the folders.
# New inputs go to work/short/TARGET (not checked in: they may derive from the real snapshots).
# Limits per input: -timeout=10 (a hang is a crash), -rss_limit_mb=2048 (so is running out of
# memory). Crash inputs land in artifacts/TARGET/; minimize one with
#   RUSTC_BOOTSTRAP=1 cargo fuzz tmin -O -a -s none TARGET artifacts/TARGET/crash-...
set -euo pipefail
cd "$(dirname "$0")"
source ./common.sh
secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(all_targets)
per=$(( secs / ${#targets[@]} ))
[ "$per" -ge 1 ] || per=1

mkdir -p work
make_seeds
seeds_real
for t in "${targets[@]}"; do build "$t" || exit 2; done

status=0
for t in "${targets[@]}"; do
  mkdir -p "work/short/$t" "corpus/$t"
  read -ra dirs <<<"work/short/$t $(seed_dirs "$t")"
  [ "$t" = mutate ] || dirs+=(work/seeds-real)
  log=$(mktemp)
  start=$(date +%s)
  set +e
  cargo fuzz run "${flags[@]}" "$t" "${dirs[@]}" -- \
    -max_total_time="$per" -timeout=10 -rss_limit_mb=2048 -max_len="$(max_len "$t")" \
    -print_final_stats=1 >"$log" 2>&1
  rc=$?
  set -e
  took=$(( $(date +%s) - start ))
  read -r execs cov ft _ <<<"$(stats "$log")"
  slowest=$(grep -o 'stat::slowest_unit_time_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -n 1 || true)
  rss=$(grep -o 'stat::peak_rss_mb: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -n 1 || true)
  crashes=$(grep -c 'Test unit written to' "$log" || true)  # libFuzzer stops at the first one
  if [ "$rc" -ne 0 ]; then
    status=1
    [ "$crashes" -gt 0 ] || crashes=1
    echo "fuzz $t: FAILED (exit $rc) after ${execs} executions in ${took}s" >&2
    grep -E 'panicked|ERROR|SUMMARY|Test unit written|Base64' "$log" | head -n 12 >&2
  fi
  echo "fuzz $t: ${execs} executions, ${crashes} crashes, ${took}s, slowest input ${slowest:-?}s, peak RSS ${rss:-?} MB, coverage ${cov} (features ${ft}), corpus $(find "corpus/$t" -type f | wc -l) checked in + $(find "work/short/$t" -type f | wc -l) new"
  rm -f "$log"
done
exit "$status"
