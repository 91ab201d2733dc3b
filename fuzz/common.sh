# Shared by run-short.sh and run-long.sh (sourced, from the fuzz/ folder).
#
# Folders:
#   corpus/TARGET/   the checked-in, minimized corpus (grown from long runs: run-long.sh --merge)
#   work/            scratch, not checked in: seeds, the inputs runs find, logs
#   artifacts/TARGET/ crash, timeout and out-of-memory inputs
#
# Build flags: release with debug assertions and overflow checks (-a), so an arithmetic overflow
# on a hostile field is a crash; no sanitizer by default (FUZZ_SANITIZER=address for the unsafe
# code of the dependencies: zlib-rs, crc32fast). Works on stable Rust: cargo-fuzz's -Z flags are
# accepted with RUSTC_BOOTSTRAP=1.

flags=(-O -a -s "${FUZZ_SANITIZER:-none}")
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

# Every target named in Cargo.toml's [[bin]] sections.
all_targets() { awk '/^\[\[bin\]\]/{b=1} b && /^name *=/{gsub(/[" ]/,""); sub(/name=/,""); print; b=0}' Cargo.toml; }

# Longest input per target (mutate reads "base index, then edits"; the others whole archives).
max_len() { case "$1" in mutate) echo 512 ;; *) echo 1048576 ;; esac; }

# The largest input the checked-in corpus keeps, as find's -size (whole archives are large).
size_cap() { case "$1" in verify) echo 6k ;; *) echo 12k ;; esac; }

# Seeds: every generated era sample and hostile case (not the real fixtures: whatever a run
# derives from its seeds may be checked in under corpus/), and one byte per base archive for
# mutate. `seeds_real` adds the real snapshots for runs whose findings stay in work/.
make_seeds() {
  local seeds=work/seeds
  if [ ! -s work/seeds.stamp ] || [ "$(cat work/seeds.stamp)" != "$(git rev-parse HEAD 2>/dev/null)" ]; then
    rm -rf "$seeds" && mkdir -p "$seeds" work/mutate-seeds
    cargo run -q --locked --manifest-path ../Cargo.toml -p snapshot-tests --bin gen-fixtures -- "$seeds" >/dev/null
    rm -f "$seeds/INDEX.md"
    for i in $(seq 0 31); do printf "\\x$(printf %02x "$i")" >"work/mutate-seeds/base-$i"; done
    git rev-parse HEAD >work/seeds.stamp 2>/dev/null || true
  fi
}
seeds_real() {
  mkdir -p work/seeds-real
  if [ -d ../../shared/fixtures/real ]; then cp ../../shared/fixtures/real/*.zip work/seeds-real/ 2>/dev/null || true; fi
}

# The read-only seed folders of a target (after its own checked-in corpus).
seed_dirs() {
  case "$1" in
    mutate) echo "corpus/mutate work/mutate-seeds" ;;
    *) echo "corpus/$1 work/seeds" ;;
  esac
}

build() {
  local t=$1
  cargo fuzz build "${flags[@]}" "$t" >work/build.log 2>&1 || { tail -n 30 work/build.log >&2; echo "fuzz: build of $t failed" >&2; return 2; }
}

# The fuzzer binary cargo-fuzz built.
binary() { echo "target/$(rustc -vV | awk '/^host:/{print $2}')/release/$1"; }

# Statistics from a libFuzzer log: "execs cov ft corpus_units".
stats() {
  local log=$1 execs cov ft corp
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -n 1 || true)
  [ -n "$execs" ] || execs=$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#' || true)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+' || true)
  ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+' || true)
  corp=$(grep -oE 'corp: [0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+' || true)
  echo "${execs:-0} ${cov:-0} ${ft:-0} ${corp:-0}"
}

# The commit the binaries were built from (+dirty when the fuzzed code has local changes).
commit_id() {
  local c
  c=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
  git diff --quiet HEAD -- ../snapshot-core ../snapshot-verify ../tests fuzz_targets Cargo.toml 2>/dev/null || c="$c+dirty"
  echo "$c"
}
