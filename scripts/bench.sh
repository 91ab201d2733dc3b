#!/usr/bin/env bash
# The benchmark of issue 4: snapshot-verify against the tools people use today, on generated
# Cloudify snapshots, with the goals' ratios and PASS/FAIL per goal.
#
#   scripts/bench.sh            full run (about 1 GB, 100,000-entry and 5 GiB inputs); writes BENCHMARKS.md
#   scripts/bench.sh --quick    small inputs, a smoke run; writes bench/out/quick/BENCHMARKS.quick.md
#   scripts/bench.sh --report-only   re-renders the report from the last run's bench/out/results
#
# Steps: install missing tools (apt, idempotent), build release binaries, generate the inputs
# into bench/out/ (git-ignored; skipped when up to date), warm the page cache, time every tool
# with hyperfine in alternating rounds (each round runs every command once after one warm-up, in
# a rotated order), measure peak RSS with /usr/bin/time -v, then print and record the table.
# A tool that is missing or fails is recorded as "n/a"; it never stops the others.
#
# Environment: BENCH_ROUNDS_A / BENCH_ROUNDS_B / BENCH_ROUNDS_C override the rounds per input
# (defaults 3 / 5 / 2), BENCH_OUT the output folder, BENCH_WAIT_IDLE=SECONDS waits (at most that
# long) for the 1-minute load average to drop below 1 before timing.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

QUICK=0
REPORT_ONLY=0
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK=1 ;;
    --report-only) REPORT_ONLY=1 ;;
    *) echo "usage: scripts/bench.sh [--quick] [--report-only]" >&2; exit 2 ;;
  esac
done

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
note() { printf '   %s\n' "$*"; }
warn() { printf '   \033[33mwarning:\033[0m %s\n' "$*"; }

if [ "$QUICK" = 1 ]; then
  OUT=${BENCH_OUT:-bench/out/quick}; GEN_FLAGS=(--quick); REPORT=$OUT/BENCHMARKS.quick.md
else
  OUT=${BENCH_OUT:-bench/out}; GEN_FLAGS=(); REPORT=BENCHMARKS.md
fi
ROUNDS_A=${BENCH_ROUNDS_A:-3}
ROUNDS_B=${BENCH_ROUNDS_B:-5}
ROUNDS_C=${BENCH_ROUNDS_C:-2}
RES=$OUT/results
mkdir -p "$RES"
if [ "$REPORT_ONLY" = 0 ]; then # (everything up to the report; not indented, for readability)
rm -f "$RES"/*.json "$RES"/*.tsv "$RES"/*.txt "$RES"/*.err
SV=$ROOT/target/release/snapshot-verify
GEN=$ROOT/target/release/gen-bench
FLOOR=$ROOT/target/release/inflate-floor
A=$OUT/bench-a.zip
B=$OUT/bench-b.zip
C=$OUT/bench-c.zip
S=$OUT/bench-c-small.zip
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------------------------------------
step "tools"
# command -> Debian package
declare -A PKG=([unzip]=unzip [zipinfo]=unzip [7zz]=7zip [bsdtar]=libarchive-tools [hyperfine]=hyperfine
  [python3]=python3 [sha256sum]=coreutils [openssl]=openssl [/usr/bin/time]=time [cargo]=)
missing=()
for cmd in "${!PKG[@]}"; do
  if ! command -v "$cmd" >/dev/null 2>&1; then
    if [ -n "${PKG[$cmd]}" ]; then missing+=("${PKG[$cmd]}"); else warn "$cmd is missing (install Rust: https://rustup.rs)"; fi
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  pkgs=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO=$(command -v sudo || true); fi
  if [ "$(id -u)" = 0 ] || [ -n "$SUDO" ]; then
    note "installing with apt: $pkgs"
    $SUDO apt-get update -qq || warn "apt-get update failed"
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $pkgs \
      || warn "apt-get install failed; the missing tools will show as n/a"
  else
    warn "missing packages ($pkgs) and no root or sudo: those tools will show as n/a"
  fi
else
  note "all tools present"
fi
command -v hyperfine >/dev/null 2>&1 || { echo "hyperfine is required" >&2; exit 1; }
command -v python3 >/dev/null 2>&1 || { echo "python3 is required" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
step "build (release): gen-bench, inflate-floor, snapshot-verify"
if ! cargo build --release -p snapshot-bench --bin gen-bench --bin inflate-floor; then
  echo "gen-bench / inflate-floor do not build: no inputs, nothing to measure" >&2
  exit 1
fi
if ! cargo build --release -p snapshot-verify; then
  warn "snapshot-verify does not build: its rows will be n/a"
  SV=$ROOT/target/release/snapshot-verify-did-not-build
fi

# ---------------------------------------------------------------------------------------------
step "inputs -> $OUT"
"$GEN" "${GEN_FLAGS[@]}" "$OUT" || { echo "gen-bench failed" >&2; exit 1; }
# Entry facts the goals need: the largest entry of (a) and the stored member of (c).
python3 - "$A" "$B" "$C" "$S" >"$RES/inputs.tsv" <<'EOF'
import sys, zipfile, os
for label, path in zip("abcs", sys.argv[1:]):
    try:
        infos = zipfile.ZipFile(path).infolist()
    except Exception as e:  # a missing or unreadable input: its rows become n/a
        print(f"cannot read {path}: {e}", file=sys.stderr)
        continue
    big = max(infos, key=lambda i: i.file_size)
    unc = sum(i.file_size for i in infos)
    print("\t".join(map(str, [label, path, os.path.getsize(path), len(infos), unc, big.filename, big.file_size,
                               big.compress_size, big.compress_type])))
EOF
cat "$RES/inputs.tsv" | while IFS=$'\t' read -r l p size n unc big bsize bcsize bmethod; do
  note "($l) $p: $size bytes, $n entries, $unc bytes uncompressed; largest $big ($bsize bytes, method $bmethod)"
done
A_BIG=$(awk -F'\t' '$1=="a"{print $6}' "$RES/inputs.tsv")
C_BIG=$(awk -F'\t' '$1=="c"{print $6}' "$RES/inputs.tsv")

# ---------------------------------------------------------------------------------------------
step "warm the page cache"
for f in "$A" "$B" "$C" "$S"; do
  cat "$f" >/dev/null && note "read $f"
done
free -m | sed 's/^/   /'

# ---------------------------------------------------------------------------------------------
# Benchmarks: NAME<TAB>COMMAND per line. A command that fails its preflight run is left out
# (n/a) so that one broken tool cannot abort a hyperfine invocation.
TESTZIP='python3 -c "import zipfile,sys; zipfile.ZipFile(sys.argv[1]).testzip()"'
cmds_for() {
  local f=$1 which=$2 big
  # Every input: the verifier and the tools people use today.
  printf '%s\t%s\n' \
    check "$SV check --level full --sha256 $f" \
    inspect "$SV inspect $f" \
    unzip-t "unzip -tqq $f" \
    7zz-t "7zz t -bd $f" \
    testzip "$TESTZIP $f" \
    unzip-l "unzip -l $f"
  # (c): the check without the hash, to see the stored data's CRC speed.
  if [ "$which" = c ]; then
    printf '%s\t%s\n' check-nosha "$SV check --level full $f"
  fi
  # (a) and (c): the hashers and the single-stream floor of the largest entry.
  case $which in
    a) big=$A_BIG ;;
    c) big=$C_BIG ;;
    *) return 0 ;;
  esac
  printf '%s\t%s\n' \
    sha256sum "sha256sum $f" \
    openssl "openssl dgst -sha256 $f" \
    floor "$FLOOR $f $big"
}

run_input() {
  local which=$1 file=$2 rounds=$3
  local names=() cmds=()
  step "($which) $file: preflight"
  while IFS=$'\t' read -r name cmd; do
    local t0 t1 rc
    t0=$(date +%s.%N)
    eval "$cmd" >"$RES/$which-$name.out" 2>"$RES/$which-$name.err"
    rc=$?
    t1=$(date +%s.%N)
    # snapshot-verify exits 1 for findings at the threshold; anything else is a failure.
    if [ $rc -eq 0 ] || { [ $rc -eq 1 ] && [[ $name == check* ]]; }; then
      names+=("$name"); cmds+=("$cmd")
      note "$(printf '%-12s ok   %6.2f s  %s' "$name" "$(awk "BEGIN{print $t1 - $t0}")" "$cmd")"
    else
      warn "$name exited $rc: recorded as n/a ($(head -c 300 "$RES/$which-$name.err" | tr '\n' ' '))"
      printf '%s\t%s\n' "$name" "exit $rc" >>"$RES/$which-failed.tsv"
    fi
  done < <(cmds_for "$file" "$which")
  local n=${#names[@]}
  [ "$n" -gt 0 ] || return 0
  for ((r = 0; r < rounds; r++)); do
    step "($which) round $((r + 1))/$rounds"
    local args=()
    for ((k = 0; k < n; k++)); do
      local i=$(((k + r) % n))
      args+=(-n "${names[$i]}" "${cmds[$i]}")
    done
    local busy0 steal0 busy1 steal1 t0 t1
    read -r busy0 steal0 < <(cpu_jiffies)
    t0=$(date +%s.%N)
    hyperfine -N -i --style basic --warmup 1 --runs 1 --export-json "$RES/$which-round$r.json" "${args[@]}" \
      || warn "hyperfine round failed"
    read -r busy1 steal1 < <(cpu_jiffies)
    t1=$(date +%s.%N)
    # Machine-wide CPU time during the round, to tell our processes' share from everyone else's.
    printf '%s\t%s\t%s\t%s\n' "$which-round$r.json" "$((busy1 - busy0))" "$((steal1 - steal0))" \
      "$(awk "BEGIN{print $t1 - $t0}")" >>"$RES/busy.tsv"
  done
}

# Busy and stolen CPU time of the whole machine, in clock ticks (/proc/stat: user nice system
# idle iowait irq softirq steal).
cpu_jiffies() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8, $9}' /proc/stat; }

# Other processes distort every figure on a small machine: say so, and optionally wait.
load1() { cut -d' ' -f1 /proc/loadavg; }
if [ -n "${BENCH_WAIT_IDLE:-}" ]; then
  step "waiting up to ${BENCH_WAIT_IDLE} s for the 1-minute load average to drop below 1"
  waited=0
  while awk -v l="$(load1)" 'BEGIN{exit !(l >= 1.0)}' && [ "$waited" -lt "$BENCH_WAIT_IDLE" ]; do
    sleep 15; waited=$((waited + 15)); note "load $(load1) after ${waited} s"
  done
fi
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
if awk -v l="$(load1)" -v n="$(nproc)" 'BEGIN{exit !(l > 0.5 * n)}'; then
  warn "load average $(load1) on $(nproc) CPUs: other processes compete, figures will be noisy (BENCH_WAIT_IDLE=SECONDS waits)"
fi

run_input a "$A" "$ROUNDS_A"
run_input b "$B" "$ROUNDS_B"
run_input c "$C" "$ROUNDS_C"

# ---------------------------------------------------------------------------------------------
# Breaking the single-stream floor: what splitting (a)'s largest entry across two cores gains
# (rapidgzip-style, unbounded memory), and why the bounded-memory variant never hands over.
step "(a) split probe: $FLOOR --split auto $A $A_BIG"
if "$FLOOR" --split auto "$A" "$A_BIG" >"$RES/split-probe.txt" 2>"$RES/split-probe.err"; then
  sed 's/^/   /' "$RES/split-probe.txt"
else
  warn "the split probe failed: $(head -c 300 "$RES/split-probe.err")"
fi

# ---------------------------------------------------------------------------------------------
step "peak RSS (/usr/bin/time -v)"
rss() {
  local label=$1; shift
  /usr/bin/time -v "$@" >/dev/null 2>"$RES/rss-$label.err"
  local rc=$? kb=""
  # snapshot-verify exits 1 for findings at the threshold; other failures give no figure.
  if [ $rc -le 1 ]; then
    kb=$(awk -F': ' '/Maximum resident set size/{print $2}' "$RES/rss-$label.err")
  else
    warn "$label exited $rc"
  fi
  printf '%s\t%s\n' "$label" "${kb:-n/a}" >>"$RES/rss.tsv"
  note "$(printf '%-16s %s KiB' "$label" "${kb:-n/a}")"
}
for w in a b c; do
  f=$OUT/bench-$w.zip
  rss "check-$w" "$SV" check --level full --sha256 "$f"
  rss "inspect-$w" "$SV" inspect "$f"
done
# Same entries as (c), a fifth of the size: does memory follow the archive's size?
rss check-s "$SV" check --level full --sha256 "$S"
rss inspect-s "$SV" inspect "$S"
rss unzip-t-a unzip -tqq "$A"
rss 7zz-t-a 7zz t -bd "$A"
rss testzip-a python3 -c "import zipfile,sys; zipfile.ZipFile(sys.argv[1]).testzip()" "$A"

# ---------------------------------------------------------------------------------------------
# Remote sources (issue 11): (a) and (c) read through a local Range server, S3 API and HTTP,
# with and without 20 ms per request; BENCH_REMOTE=0 skips them.
if [ "${BENCH_REMOTE:-1}" = 1 ]; then
  step "remote rows (scripts/bench-remote.sh)"
  scripts/bench-remote.sh "$SV" "$RES" "$A" "$C" || warn "the remote rows failed"
fi

# ---------------------------------------------------------------------------------------------
step "machine"
{
  echo "nproc=$(nproc)"
  echo "cpu=$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)"
  echo "cpu_flags_sha_ni=$(grep -qw sha_ni /proc/cpuinfo && echo yes || echo no)"
  echo "cpu_flags_pclmulqdq=$(grep -qw pclmulqdq /proc/cpuinfo && echo yes || echo no)"
  echo "cpu_flags_avx512=$(grep -qw avx512f /proc/cpuinfo && echo yes || echo no)"
  echo "hypervisor=$(grep -qw hypervisor /proc/cpuinfo && echo yes || echo no)"
  echo "mem=$(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "kernel=$(uname -sr)"
  echo "os=$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")"
  echo "load_start=$LOAD_START"
  echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "date=$(date -u +%Y-%m-%d)"
  echo "commit=$(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
  echo "v_snapshot_verify=$("$SV" --version 2>/dev/null)"
  echo "v_rustc=$(rustc --version 2>/dev/null)"
  echo "v_unzip=$(unzip -v 2>/dev/null | head -1)"
  echo "v_7zz=$(7zz 2>/dev/null | grep -m1 '7-Zip' | sed 's/ : Copyright.*//')"
  echo "v_python=$(python3 --version 2>&1)"
  echo "v_zlib_python=$(python3 -c 'import zlib; print(zlib.ZLIB_RUNTIME_VERSION)' 2>/dev/null)"
  echo "v_sha256sum=$(sha256sum --version 2>/dev/null | head -1)"
  echo "v_openssl=$(openssl version 2>/dev/null)"
  echo "v_hyperfine=$(hyperfine --version 2>/dev/null)"
  echo "clk_tck=$(getconf CLK_TCK 2>/dev/null || echo 100)"
  echo "rounds=$ROUNDS_A/$ROUNDS_B/$ROUNDS_C"
  echo "quick=$QUICK"
} >"$RES/machine.txt"
sed 's/^/   /' "$RES/machine.txt"

fi # REPORT_ONLY

# ---------------------------------------------------------------------------------------------
step "results"
python3 scripts/bench_report.py "$RES" "$REPORT"
[ -f "$RES/remote.md" ] && { echo; cat "$RES/remote.md"; } >>"$REPORT"
