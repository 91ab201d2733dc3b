#!/usr/bin/env bash
# Proves a refactor changed no report: builds BASE (a git revision) and the working tree, has
# both generate the fixture corpus (the corpora must be byte-identical too), then runs both CLIs
# over every generated fixture, every real fixture and, with --bench, the benchmark archives, in
# several option sets, and compares the JSON reports and exit codes byte for byte.
#
#   scripts/report-identity.sh [--bench] [BASE]     BASE defaults to HEAD
#
# Exit 0 when every report is identical, 1 when any differs (the differing ones are listed and
# a diff of the first is shown), 2 when it cannot run. Builds go to target/identity/ with LTO
# off (the reports do not depend on it), so they do not disturb the normal target directory.
# REPORT_IDENTITY_CACHE=DIR keeps BASE's worktree, build and corpus there, to share between
# several working trees of one repository.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BENCH=0
if [ "${1:-}" = --bench ]; then BENCH=1; shift; fi
BASE=${1:-HEAD}
WORK=$ROOT/target/identity
CACHE=${REPORT_IDENTITY_CACHE:-$WORK}
mkdir -p "$WORK" "$CACHE"
BASE_SHA=$(git rev-parse --verify "$BASE^{commit}") || { echo "report-identity: no revision $BASE" >&2; exit 2; }
FAST=(--config profile.release.lto=false --config profile.release.codegen-units=16)

build() { # DIR TARGET_DIR
  (cd "$1" && CARGO_TARGET_DIR=$2 cargo build --release --quiet "${FAST[@]}" \
    -p snapshot-verify -p snapshot-tests --bin snapshot-verify --bin gen-fixtures) \
    || { echo "report-identity: build failed in $1" >&2; exit 2; }
}

BASE_TREE=$CACHE/base-$BASE_SHA
if [ ! -d "$BASE_TREE" ]; then
  git worktree prune
  git worktree add --detach --quiet "$BASE_TREE" "$BASE_SHA"
fi
echo "== build base ${BASE_SHA:0:12} and the working tree"
build "$BASE_TREE" "$CACHE/target-base"
build "$ROOT" "$WORK/target-head"
SV_BASE=$CACHE/target-base/release/snapshot-verify
SV_HEAD=$WORK/target-head/release/snapshot-verify

echo "== fixture corpora"
rm -rf "$WORK/fx-base" "$WORK/fx-head"
"$CACHE/target-base/release/gen-fixtures" "$WORK/fx-base" >/dev/null
"$WORK/target-head/release/gen-fixtures" "$WORK/fx-head" >/dev/null
if ! diff -rq "$WORK/fx-base" "$WORK/fx-head" >/dev/null; then
  echo "note: the generators' outputs differ (reports below are compared on the base corpus):"
  diff -rq "$WORK/fx-base" "$WORK/fx-head" | head -20 || true  # head closes the pipe early: not a failure
  GEN_SAME=0
else
  GEN_SAME=1
fi

inputs=("$WORK"/fx-base/*.zip)
REAL=${SNAPSHOT_VERIFY_FIXTURES:-$ROOT/../shared/fixtures/real}
if [ -d "$REAL" ]; then inputs+=("$REAL"/*.zip); else echo "note: no real fixtures at $REAL"; fi
if [ "$BENCH" = 1 ]; then
  BOUT=$ROOT/bench/out
  if ! ls "$BOUT"/bench-*.zip >/dev/null 2>&1; then
    echo "report-identity: --bench needs the benchmark archives in $BOUT (scripts/bench.sh writes them)" >&2
    exit 2
  fi
  inputs+=("$BOUT"/bench-*.zip)
fi

# Option sets: each is one line of arguments after `check`.
optsets=(
  "--level quick --format json"
  "--level full --format json --sha256 --target-version 7.0.4"
  "--level full --format json --target-version 5.1.0 --edition community"
  "--level quick --format jsonl"
)
# jsonl carries timings and progress events; everything else is a pure function of the input.
normalize() { sed -E 's/"elapsed_ms":[0-9]+/"elapsed_ms":0/; /"event":"progress"/d'; }
same=0
differ=()
echo "== ${#inputs[@]} inputs x ${#optsets[@]} option sets"
for f in "${inputs[@]}"; do
  for o in "${optsets[@]}"; do
    # shellcheck disable=SC2086
    a=$("$SV_BASE" check $o -j 2 "$f" 2>&1 | normalize; echo "exit=${PIPESTATUS[0]}")
    # shellcheck disable=SC2086
    b=$("$SV_HEAD" check $o -j 2 "$f" 2>&1 | normalize; echo "exit=${PIPESTATUS[0]}")
    if [ "$a" = "$b" ]; then
      same=$((same + 1))
    else
      differ+=("$(basename "$f") [$o]")
      if [ ${#differ[@]} = 1 ]; then
        diff <(printf '%s\n' "$a") <(printf '%s\n' "$b") | head -40 || true
      fi
    fi
  done
done
echo "reports identical: $same, different: ${#differ[@]}"
for d in "${differ[@]}"; do echo "  differs: $d"; done
[ "$GEN_SAME" = 1 ] || echo "generator output differs (see above)"
[ ${#differ[@]} = 0 ] && [ "$GEN_SAME" = 1 ]
