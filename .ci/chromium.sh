#!/usr/bin/env bash
# Installs Debian's Chromium for the Element Call scenario (headless, driven by playwright-core),
# unless a Chromium is already there. Idempotent: a second run only prints the export line again.
#
#   eval "$(.ci/chromium.sh)"   # stdout = the export line; logs go to stderr:
#   export CALLHS_CHROMIUM=/usr/bin/chromium
#
# Installing needs root (apt-get, as CI runs) or passwordless sudo; otherwise install the package
# chromium yourself, or point CALLHS_CHROMIUM at a Chromium that playwright-core 1.64 can drive
# (it was built against Chromium 156).
set -euo pipefail

log() { echo "[chromium.sh] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

binary="${CALLHS_CHROMIUM:-/usr/bin/chromium}"
if [[ ! -x "$binary" ]]; then
  binary=/usr/bin/chromium
  if [[ "$(id -u)" -eq 0 ]]; then sudo=(); elif sudo -n true 2>/dev/null; then sudo=(sudo -n); else
    die "no Chromium at $binary and no root to install Debian's chromium package: apt-get install chromium"
  fi
  log "installing Debian's chromium package"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update >&2
  "${sudo[@]}" apt-get install -y --no-install-recommends chromium >&2
fi
"$binary" --version >&2 || die "$binary does not run"
echo "export CALLHS_CHROMIUM=$binary"
