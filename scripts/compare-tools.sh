#!/usr/bin/env bash
# Measures what `unzip -t`, `7zz t`, Python's `zipfile.testzip()` and snapshot-verify report on
# every generated hostile case (and on the valid era samples and the real snapshots in
# ../shared/fixtures/real, when present), and writes docs/hazard-comparison.md from the results.
# The table is generated, never typed: run this script again after changing a case or a check.
#
#   scripts/compare-tools.sh [OUT.md]     default OUT: docs/hazard-comparison.md
#   JOBS=N scripts/compare-tools.sh       files measured in parallel (default 2)
#
# Needs unzip, 7zz and python3 (scripts/setup.sh installs the first two).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=${1:-docs/hazard-comparison.md}

for tool in unzip 7zz python3; do
  command -v "$tool" >/dev/null || { echo "compare-tools: $tool not found (run scripts/setup.sh)" >&2; exit 2; }
done

cargo build --release --quiet -p snapshot-verify -p snapshot-tests
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')

corpus=$(mktemp -d "${TMPDIR:-/tmp}/hazard-corpus.XXXXXX")
trap 'rm -rf "$corpus"' EXIT
"$target_dir/release/gen-fixtures" "$corpus" >&2

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain -- snapshot-core snapshot-verify tests 2>/dev/null)" ]; then commit="$commit, with uncommitted changes"; fi

python3 scripts/compare_tools.py \
  --corpus "$corpus" \
  --real "$root/../shared/fixtures/real" \
  --hazards "$root/../shared/docs/zip-hazards.md" \
  --verifier "$target_dir/release/snapshot-verify" \
  --jobs "${JOBS:-2}" \
  --commit "$commit" \
  --out "$out"
