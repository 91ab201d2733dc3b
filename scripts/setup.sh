#!/usr/bin/env bash
# Installs everything the build and the tests need, idempotently. Safe to run again:
# each step checks first and does nothing when its tool is already there.
#   scripts/setup.sh          native + wasm + browser test dependencies
#   SETUP_BROWSER=0 scripts/setup.sh   skip Chromium and npm packages
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1msetup:\033[0m %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# 1. The wasm32 target for the browser module.
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# 2. wasm-bindgen-cli at exactly the version Cargo.lock pins (the CLI refuses other versions).
want=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/[^0-9.]/,""); print; exit}' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ -n "$want" ] && [ "$have" != "$want" ]; then
  say "installing wasm-bindgen-cli $want (had: ${have:-none})"
  # --locked is left out on purpose: one of the CLI's locked dependencies is not in the registry.
  cargo install wasm-bindgen-cli --version "$want"
fi

# 3. Debian packages: reference tools for the comparison table and the benchmark; Chromium for browser tests.
pkgs=()
command -v unzip   >/dev/null || pkgs+=(unzip)
command -v 7zz     >/dev/null || pkgs+=(7zip)
command -v bsdtar  >/dev/null || pkgs+=(libarchive-tools)
command -v hyperfine >/dev/null || pkgs+=(hyperfine)
[ -x /usr/bin/time ] || pkgs+=(time)
if [ "${SETUP_BROWSER:-1}" = 1 ]; then
  [ -x /usr/bin/chromium ] || pkgs+=(chromium)
  [ -x /usr/bin/chromedriver ] || pkgs+=(chromium-driver)
fi
if [ ${#pkgs[@]} -gt 0 ]; then
  say "apt-get install ${pkgs[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
fi

# 4. npm packages for the browser tests and the browser benchmark: playwright-core (drives
#    Debian's Chromium; never downloads a browser), hash-wasm (benchmark baseline), binaryen
#    (wasm-opt for scripts/build-wasm.sh), typescript (checks the published .d.ts types).
#    Node 20 or newer is needed; python3 makes the generated fixtures.
if [ "${SETUP_BROWSER:-1}" = 1 ] && [ -f www/package.json ]; then
  command -v node >/dev/null || { say "node (20 or newer) is missing: install Node.js first"; exit 2; }
  node_major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$node_major" -ge 20 ] || { say "node $node_major is too old: the browser tests need Node.js 20 or newer"; exit 2; }
  command -v python3 >/dev/null || { as_root apt-get update -qq; DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends python3 >/dev/null; }
  missing=0
  for pkg in playwright-core hash-wasm binaryen typescript; do [ -d "www/node_modules/$pkg" ] || missing=1; done
  if [ "$missing" = 1 ]; then
    say "npm ci in www/ (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1)"
    (cd www && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent)
  fi
fi
# 5. The Stage-like harness (tests/stage-harness: React 16.14, semantic-ui-react 2.1, TypeScript 4,
#    webpack 5). It names the packed npm tarball as a file: dependency, so the package is packed
#    first when the tarball is missing (scripts/build-npm.sh needs steps 1, 2 and 4).
if [ "${SETUP_BROWSER:-1}" = 1 ] && [ -f tests/stage-harness/package.json ]; then
  missing=0
  for pkg in webpack typescript ts-loader react semantic-ui-react playwright-core; do
    [ -d "tests/stage-harness/node_modules/$pkg" ] || missing=1
  done
  if [ "$missing" = 1 ]; then
    [ -f npm/snapshot-verify-browser.tgz ] || scripts/build-npm.sh
    say "npm ci in tests/stage-harness (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1)"
    (cd tests/stage-harness && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent)
  fi
fi
say "ready"
