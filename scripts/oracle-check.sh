#!/usr/bin/env bash
# The restore oracle test (issue 12 point 5): runs Cloudify's real restore code
# (../shared/oracle/restore_oracle.py, bundled 7.0.4, 7.0.0, 6.4.2 and 5.1.0 sources) over every
# generated fixture and compares what it does with our prediction for the same target
# (snapshot.compatibility.target: restore_path, outcome, restorable). Fails on any disagreement
# that tests/oracle-expectations.toml does not list with its reason.
#
#   scripts/oracle-check.sh            build, generate, run the oracle (5 passes), compare
#   ORACLE_DIR=PATH                    where restore_oracle.py lives (default ../shared/oracle)
#   ORACLE_CACHE=PATH                  the venv and the oracle's per-tag installs (default target/oracle-cache)
#   ORACLE=0                           skip, printed as SKIPPED (never silently)
#
# The venv is made by the oracle's own setup.sh (idempotent; PyPI only); the oracle installs
# cloudify-common==<tag> per tag into the cache on first use, so the network is needed once.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${ORACLE:-1}" = 0 ]; then
  echo "restore oracle: SKIPPED (ORACLE=0)"
  exit 0
fi
ORACLE_DIR=${ORACLE_DIR:-../shared/oracle}
[ -f "$ORACLE_DIR/restore_oracle.py" ] || { echo "oracle not found at $ORACLE_DIR (set ORACLE_DIR, or ORACLE=0 to skip)" >&2; exit 1; }
cache=${ORACLE_CACHE:-$PWD/target/oracle-cache}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
export TMPDIR=$cache                  # restore_oracle.py keeps its per-tag installs under $TMPDIR/oracle
PY=$(bash "$ORACLE_DIR/setup.sh" "$cache/venv" | tail -1)

cargo build --release --locked -q -p snapshot-verify -p snapshot-tests
fx=target/oracle-fx
rm -rf "$fx"
target/release/gen-fixtures "$fx" >/dev/null
ours() { # ours OUT FLAGS...: one JSON array for every fixture; exit 1 means "some file has errors"
  local out=$1; shift
  target/release/snapshot-verify check --level full --format json "$@" "$fx"/*.zip > "$out" || [ $? = 1 ]
}
for tag in 7.0.4 7.0.0 6.4.2 5.1.0; do
  echo "restore oracle: $tag"
  "$PY" "$ORACLE_DIR/restore_oracle.py" --tag "$tag" "$fx"/*.zip > "$fx/oracle-$tag.jsonl"
  ours "$fx/ours-$tag.json" --target-version "$tag"
done
# The Kubernetes column: the oracle runs the real is_split_services_environment check.
echo "restore oracle: 7.0.4 on Kubernetes"
RUNTIME_ENVIRONMENT=k8s "$PY" "$ORACLE_DIR/restore_oracle.py" --tag 7.0.4 "$fx"/*.zip > "$fx/oracle-7.0.4-k8s.jsonl"
ours "$fx/ours-7.0.4-k8s.json" --target-version 7.0.4 --target-runtime kubernetes
"$PY" scripts/oracle_compare.py "$fx" tests/oracle-expectations.toml
