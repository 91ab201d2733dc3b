#!/usr/bin/env bash
# A long fuzz run of every target, in the background, for a session's spare CPU.
#
#   fuzz/run-long.sh [SECONDS] [TARGET...]  start (default 3600 s, every target); returns at once
#   fuzz/run-long.sh --status               the summary so far (work/long/summary.md)
#   fuzz/run-long.sh --stop                 stop it; the summary and RESULTS.md are still written
#   fuzz/run-long.sh --merge [TARGET...]    minimize corpus/TARGET + what runs found into corpus/TARGET
#
# FUZZ_JOBS (default 1: the machine is usually shared) is libFuzzer's -fork: how many fuzzing
# processes run at once. The targets take turns of FUZZ_ROUND seconds (default 600) each, so the
# run never uses more than FUZZ_JOBS cores, at nice FUZZ_NICE (default 10). Crashes, timeouts
# and out-of-memory inputs do not stop it (-ignore_crashes etc.): they land in artifacts/TARGET/
# and are counted. The binaries are copied at the start, so editing and rebuilding the code
# does not disturb a run; the commit they were built from is recorded.
#
# At the end (or on --stop) each target's executions, exec/s, coverage (libFuzzer's cov and ft),
# corpus size and crashes are appended to RESULTS.md (checked in: commit it) and its cumulative
# totals are recomputed. Seeds are the checked-in corpus and the generated fixtures only (not the
# real snapshots), so whatever it finds (work/long/TARGET) may be merged into corpus/ and committed.
set -euo pipefail
# FUZZ_HOME: the fuzz/ folder, when a run executes its private copy of this script (below).
cd "${FUZZ_HOME:-$(dirname "$0")}"
long=work/long

status() { cat "$long/summary.md" 2>/dev/null || echo "no long run yet"; }

case "${1:-}" in
  --status) status; exit 0 ;;
  --stop)
    pid=$(cat "$long/pid" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"
      while kill -0 "$pid" 2>/dev/null; do sleep 1; done
    fi
    status; exit 0 ;;
  --merge)
    shift
    source ./common.sh
    targets=("$@")
    [ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(all_targets)
    make_seeds
    for t in "${targets[@]}"; do
      build "$t" || exit 2
      mkdir -p "corpus/$t" "$long/$t"
      rm -rf "work/merge-$t" && mkdir -p "work/merge-$t"
      # The seeds go in first and out again afterwards: every run regenerates them, so the
      # checked-in corpus keeps only inputs that reach something the seeds do not. Small inputs
      # only (size_cap), so that it stays a few hundred KB.
      read -ra seeds <<<"$(seed_dirs "$t")"
      for f in "${seeds[1]}"/*; do cp "$f" "work/merge-$t/seed-$(basename "$f")"; done
      rm -rf "work/small-$t" && mkdir -p "work/small-$t"
      # (Inputs are named by their SHA-1, so a name in both folders is the same input.)
      find "corpus/$t" "$long/$t" -type f -size "-$(size_cap "$t")" -exec cp -t "work/small-$t" {} + 2>/dev/null || true
      "$(binary "$t")" -merge=1 -timeout=10 -rss_limit_mb=2048 \
        "work/merge-$t" "work/small-$t" >"work/merge-$t.log" 2>&1 || { tail -n 20 "work/merge-$t.log" >&2; exit 1; }
      rm -f "work/merge-$t"/seed-*
      rm -rf "corpus/$t" && mv "work/merge-$t" "corpus/$t"
      echo "corpus/$t: $(find "corpus/$t" -type f | wc -l) inputs, $(du -sk "corpus/$t" | cut -f1) KiB on disk, $(cat "corpus/$t"/* 2>/dev/null | wc -c) bytes"
    done
    exit 0 ;;
  --foreground) shift ;;
  *)
    mkdir -p "$long"
    if [ -f "$long/pid" ] && kill -0 "$(cat "$long/pid")" 2>/dev/null; then
      echo "a long run is already going (pid $(cat "$long/pid")); --status or --stop" >&2; exit 2
    fi
    # The run executes a copy: bash reads a script as it goes, so editing this file during a
    # run would otherwise derail it.
    cp run-long.sh "$long/run-long.sh"
    FUZZ_HOME=$PWD nohup setsid "$long/run-long.sh" --foreground "$@" >"$long/run.log" 2>&1 &
    echo $! >"$long/pid"
    echo "long fuzz run started (pid $!): fuzz/run-long.sh --status; log fuzz/$long/run.log"
    exit 0 ;;
esac

source ./common.sh
secs=${1:-3600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(all_targets)
jobs=${FUZZ_JOBS:-1}
round=${FUZZ_ROUND:-600}
niceness=${FUZZ_NICE:-10}

mkdir -p "$long/bin" "$long/logs"
echo $$ >"$long/pid"
make_seeds
for t in "${targets[@]}"; do
  build "$t" || exit 2
  cp "$(binary "$t")" "$long/bin/$t"
  mkdir -p "$long/$t" "corpus/$t" "artifacts/$t"
done
commit=$(commit_id)
started=$(date -u +%Y-%m-%dT%H:%MZ)
touch "$long/started"
deadline=$(( $(date +%s) + secs ))
declare -A execs took cov ft
for t in "${targets[@]}"; do execs[$t]=0; took[$t]=0; cov[$t]=0; ft[$t]=0; done
child=""

crashes() { find "artifacts/$1" -type f -newer "$long/started" 2>/dev/null | wc -l; }

summary() {
  {
    echo "# Long fuzz run: started $started, commit $commit, $jobs job(s), turns of ${round}s"
    echo
    echo "| target | seconds | executions | exec/s | cov | ft | corpus (work/long) | crashes |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|"
    for t in "${targets[@]}"; do
      local rate=0; [ "${took[$t]}" -gt 0 ] && rate=$(( execs[$t] / took[$t] ))
      echo "| $t | ${took[$t]} | ${execs[$t]} | $rate | ${cov[$t]} | ${ft[$t]} | $(find "$long/$t" -type f | wc -l) | $(crashes "$t") |"
    done
  } >"$long/summary.md"
}

# One row per target in RESULTS.md, then the cumulative totals recomputed from every row.
record() {
  local f=RESULTS.md t rate
  for t in "${targets[@]}"; do
    [ "${took[$t]}" -gt 0 ] || continue
    rate=$(( execs[$t] / took[$t] ))
    echo "| $started | $commit | $t | ${took[$t]} | $jobs | ${execs[$t]} | $rate | ${cov[$t]} | ${ft[$t]} | $(find "$long/$t" -type f | wc -l) | $(crashes "$t") |" >>"$f"
  done
  awk -F'|' '
    /^<!-- totals -->/ { skip = 1; next }
    /^<!-- \/totals -->/ { skip = 0; next }
    skip { next }
    { lines[++n] = $0 }
    /^\| 2[0-9][0-9][0-9]-/ { e += $7; s += $5; c += $12; runs[$4] = 1 }
    END {
      for (i = 1; i <= n; i++) {
        print lines[i]
        if (lines[i] ~ /^## Cumulative/) {
          print "<!-- totals -->"
          printf "%d executions in %d fuzzing seconds, %d crashes, over every run in the table below.\n", e, s, c
          print "<!-- /totals -->"
        }
      }
    }' "$f" >"$f.tmp" && mv "$f.tmp" "$f"
}

# The turn under way (for --stop): target, log, start time.
cur_t="" cur_log="" cur_start=0

# What a turn's log says, added to its target's totals.
account() {
  local t=$1 log=$2 start=$3 e c f
  read -r e c f _ <<<"$(stats "$log")"
  execs[$t]=$(( execs[$t] + e ))
  took[$t]=$(( took[$t] + $(date +%s) - start ))
  [ "$c" -gt 0 ] && cov[$t]=$c
  [ "$f" -gt 0 ] && ft[$t]=$f
  return 0
}

turn() {
  local t=$1 secs=$2
  cur_t=$t cur_log="$long/logs/$t-$(date +%s).log" cur_start=$(date +%s)
  read -ra seeds <<<"$(seed_dirs "$t")"
  setsid nice -n "$niceness" "$long/bin/$t" "$long/$t" "${seeds[@]}" \
    -fork="$jobs" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len="$(max_len "$t")" \
    -artifact_prefix="artifacts/$t/" >"$cur_log" 2>&1 &
  child=$!
  wait "$child" || true
  child=""
  account "$cur_t" "$cur_log" "$cur_start"
  cur_t=""
  summary
}

finish() {
  trap - TERM INT
  summary
  record
  rm -f "$long/pid"
  cat "$long/summary.md"
  exit 0
}
# A turn that is stopped midway still counts what its log says so far.
on_stop() {
  if [ -n "$child" ]; then
    kill -TERM -- "-$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
    child=""
  fi
  [ -z "$cur_t" ] || account "$cur_t" "$cur_log" "$cur_start"
  finish
}
trap on_stop TERM INT

summary
while [ "$(date +%s)" -lt "$deadline" ]; do
  for t in "${targets[@]}"; do
    left=$(( deadline - $(date +%s) ))
    [ "$left" -gt 0 ] || break
    turn "$t" $(( left < round ? left : round ))
  done
done
finish
