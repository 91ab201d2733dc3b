#!/usr/bin/env bash
# Remote rows of the benchmark (issue 11): quick, full and full + SHA-256 checks of archives read
# through a local Range server, over the S3 API (s3://, path-style, AWS_ENDPOINT_URL) and over
# plain HTTP, with 0 and 20 ms added per request; bytes fetched and requests from the report's
# `source`; against "download with curl, then check the local copy" and the local check.
#
#   scripts/bench-remote.sh SNAPSHOT_VERIFY RESULTS_DIR FILE...
#
# Writes RESULTS_DIR/remote.tsv and RESULTS_DIR/remote.md (a Markdown table). One run per row:
# figures from a busy machine are indicative. The server is
# `cargo run --release -p snapshot-verify --example remote_serve` (127.0.0.1 only); it stops
# when this script ends.
set -uo pipefail
cd "$(dirname "$0")/.."
SV=$1; RES=$2; shift 2
mkdir -p "$RES"
cargo build --release -q -p snapshot-verify --example remote_serve || { echo "remote_serve does not build" >&2; exit 1; }
SERVE=target/release/examples/remote_serve
TSV=$RES/remote.tsv
printf 'file\trow\tlatency_ms\tseconds\tbytes_fetched\trequests\tsize\tpeak_rss_kib\n' >"$TSV"
now() { date +%s.%N; }
json_source() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); s=d.get("source") or {}; print(s.get("bytes_fetched","-"), s.get("requests","-"))' "$1" 2>/dev/null || echo "- -"; }

for f in "$@"; do
  dir=$(cd "$(dirname "$f")" && pwd); name=$(basename "$f"); size=$(stat -c %s "$f")
  for lat in 0 20; do
    coproc SRV { "$SERVE" "$dir" "$lat"; }
    read -r line <&"${SRV[0]}"; port=${line#port=}
    export AWS_ENDPOINT_URL=http://127.0.0.1:$port AWS_ALLOW_HTTP=true AWS_REGION=us-east-1 \
      AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench
    for transport in s3 http; do
      if [ $transport = s3 ]; then url=s3://bench/$name; else url=http://127.0.0.1:$port/bench/$name; fi
      for mode in quick full full-sha256; do
        case $mode in
          quick) args=(--level quick) ;;
          full) args=(--level full) ;;
          *) args=(--level full --sha256) ;;
        esac
        t0=$(now)
        /usr/bin/time -f %M -o "$RES/remote-rss.txt" "$SV" check "${args[@]}" --format json "$url" >"$RES/remote-last.json" 2>"$RES/remote-last.err"
        rc=$?; t1=$(now)
        if [ $rc -le 1 ]; then read -r bytes reqs < <(json_source "$RES/remote-last.json"); else bytes=n/a; reqs=n/a; fi
        printf '%s\t%s\t%s\t%.3f\t%s\t%s\t%s\t%s\n' "$name" "$transport-$mode" "$lat" "$(awk "BEGIN{print $t1-$t0}")" \
          "$bytes" "$reqs" "$size" "$(cat "$RES/remote-rss.txt" 2>/dev/null | tail -1)" >>"$TSV"
      done
    done
    # Download with a reference client (one request), then check the copy.
    tmp=$(mktemp -d)
    t0=$(now)
    curl -sf -o "$tmp/$name" "http://127.0.0.1:$port/bench/$name" && "$SV" check --level full --sha256 "$tmp/$name" >/dev/null
    t1=$(now)
    printf '%s\t%s\t%s\t%.3f\t%s\t%s\t%s\t-\n' "$name" download-then-check "$lat" "$(awk "BEGIN{print $t1-$t0}")" "$size" 1 "$size" >>"$TSV"
    rm -rf "$tmp"
    exec {SRV[1]}>&-
    wait "$SRV_PID" 2>/dev/null
  done
  t0=$(now); "$SV" check --level full --sha256 "$f" >/dev/null; t1=$(now)
  printf '%s\t%s\t0\t%.3f\t-\t-\t%s\t-\n' "$name" local-full-sha256 "$(awk "BEGIN{print $t1-$t0}")" "$size" >>"$TSV"
  t0=$(now); "$SV" check --level full "$f" >/dev/null; t1=$(now)
  printf '%s\t%s\t0\t%.3f\t-\t-\t%s\t-\n' "$name" local-full "$(awk "BEGIN{print $t1-$t0}")" "$size" >>"$TSV"
  t0=$(now); "$SV" check --level quick "$f" >/dev/null; t1=$(now)
  printf '%s\t%s\t0\t%.3f\t-\t-\t%s\t-\n' "$name" local-quick "$(awk "BEGIN{print $t1-$t0}")" "$size" >>"$TSV"
done
python3 - "$TSV" >"$RES/remote.md" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
print("## Remote sources (issue 11)\n")
print("One run per row, local Range server on 127.0.0.1 (S3 API path-style, and plain HTTP); "
      "`latency` is added to every request.\n")
print("| file | row | latency | time (s) | bytes fetched | % of file | requests | peak RSS (MiB) |")
print("|---|---|---|---|---|---|---|---|")
for r in rows:
    b = r["bytes_fetched"]
    pct = f"{100 * int(b) / int(r['size']):.2f}" if b.isdigit() else "-"
    rss = f"{int(r['peak_rss_kib']) / 1024:.0f}" if r["peak_rss_kib"].isdigit() else "-"
    print(f"| {r['file']} | {r['row']} | {r['latency_ms']} ms | {r['seconds']} | {b} | {pct} | {r['requests']} | {rss} |")
PY
cat "$RES/remote.md"
