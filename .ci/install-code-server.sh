#!/usr/bin/env bash
# Installs what the real-VS-Code end-to-end test needs (test/e2e/run.js):
#   - Debian packages: libkrb5-dev, make, g++ and python3 (code-server's
#     postinstall builds its kerberos module with node-gyp), git, ripgrep
#     (seeded into @vscode/ripgrep's download cache, since only the npm registry
#     and Debian's archive are reachable) and chromium (driven by playwright-core);
#   - code-server@4.100.3, OUTSIDE the repository (default /opt/mm-review-e2e).
# Idempotent: each step is skipped when already done.
set -euo pipefail
PREFIX="${MM_E2E_PREFIX:-/opt/mm-review-e2e}"
CS_VERSION=4.100.3

need=()
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
command -v rg >/dev/null 2>&1 || need+=(ripgrep)
[ -x /usr/bin/chromium ] || need+=(chromium)
# code-server's postinstall builds native modules (kerberos) with node-gyp.
command -v make >/dev/null 2>&1 || need+=(make)
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v git >/dev/null 2>&1 || need+=(git) # the e2e workspace is a git repository
if [ ${#need[@]} -gt 0 ]; then
  echo "apt-get install ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
fi

# @vscode/ripgrep (a code-server dependency) downloads rg from GitHub in its
# postinstall unless the tarball is already in its cache: seed it with Debian's rg.
cache="$(node -p "require('os').tmpdir()")/vscode-ripgrep-cache-1.15.11"
tarball="$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -f "$tarball" ]; then
  mkdir -p "$cache"
  tmp="$(mktemp -d)"
  cp "$(command -v rg)" "$tmp/rg"
  tar -C "$tmp" -czf "$tarball" rg
  rm -rf "$tmp"
fi

if [ -x "$PREFIX/node_modules/.bin/code-server" ] && \
   [ "$("$PREFIX/node_modules/.bin/code-server" --version 2>/dev/null | head -1 | cut -d' ' -f1)" = "$CS_VERSION" ]; then
  echo "code-server $CS_VERSION already in $PREFIX"
else
  mkdir -p "$PREFIX"
  [ -f "$PREFIX/package.json" ] || echo '{ "name": "mm-review-e2e", "private": true }' > "$PREFIX/package.json"
  # As root (CI containers, a fresh VM), code-server's postinstall refuses to
  # run unless npm is told scripts may keep root's permissions.
  if [ "$(id -u)" = 0 ]; then export npm_config_unsafe_perm=true; fi
  (cd "$PREFIX" && npm_config_yes=true npm install "code-server@$CS_VERSION" --no-audit --no-fund)
fi
"$PREFIX/node_modules/.bin/code-server" --version | head -1
