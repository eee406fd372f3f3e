#!/usr/bin/env bash
# Install Synapse (the reference Matrix homeserver) into a private Python venv,
# for the comparative benchmarks in bench/.
#
# Usage: bench/synapse/install-synapse.sh
#
# Environment:
#   SYNAPSE_VENV     venv location (default: $HOME/.cache/jmatrix-bench/synapse-venv)
#   SYNAPSE_VERSION  matrix-synapse version to install (default: pinned below)
#   SYNAPSE_PYTHON   Python interpreter used to create the venv (default: python3)
#
# Idempotent: if the venv already holds the requested version, nothing is done.
# On a fresh Debian machine running as root, missing python3 / python3-venv are
# installed with apt-get. Synapse itself comes from PyPI as a manylinux wheel
# (the Rust part is prebuilt), so no compiler is needed.
#
# Pinned version: 1.163.2 (latest on PyPI when this was written; installs on
# Debian 12 / Python 3.11 on x86_64).
set -euo pipefail

SYNAPSE_VERSION="${SYNAPSE_VERSION:-1.163.2}"
SYNAPSE_VENV="${SYNAPSE_VENV:-$HOME/.cache/jmatrix-bench/synapse-venv}"
SYNAPSE_PYTHON="${SYNAPSE_PYTHON:-python3}"

log() { echo "[install-synapse] $*" >&2; }

# Already installed at the right version? Then we are done.
if [[ -x "$SYNAPSE_VENV/bin/python" ]]; then
  have="$("$SYNAPSE_VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("matrix-synapse"))' 2>/dev/null || true)"
  if [[ "$have" == "$SYNAPSE_VERSION" ]]; then
    log "matrix-synapse $have already installed in $SYNAPSE_VENV"
    exit 0
  fi
  log "venv exists with matrix-synapse '${have:-none}', want $SYNAPSE_VERSION: (re)installing"
fi

# Make sure we have a Python that can create venvs (Debian splits ensurepip
# into python3-venv). Install it via apt when we are root.
if ! command -v "$SYNAPSE_PYTHON" >/dev/null 2>&1 \
   || ! "$SYNAPSE_PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1; then
  if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    log "installing python3 + python3-venv with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    apt-get install -y --no-install-recommends python3 python3-venv ca-certificates >&2
    SYNAPSE_PYTHON=/usr/bin/python3
  else
    log "ERROR: '$SYNAPSE_PYTHON' with the venv module is required (apt-get install python3-venv)"
    exit 1
  fi
fi

# Synapse 1.16x needs Python >= 3.10.
"$SYNAPSE_PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' || {
  log "ERROR: $("$SYNAPSE_PYTHON" --version 2>&1) is too old; Synapse $SYNAPSE_VERSION needs Python >= 3.10"
  exit 1
}

log "creating venv $SYNAPSE_VENV with $("$SYNAPSE_PYTHON" --version 2>&1)"
mkdir -p "$(dirname "$SYNAPSE_VENV")"
"$SYNAPSE_PYTHON" -m venv "$SYNAPSE_VENV"

start=$SECONDS
log "pip install matrix-synapse==$SYNAPSE_VERSION (takes a minute or two)"
"$SYNAPSE_VENV/bin/pip" install --quiet --upgrade pip >&2
# --only-binary for synapse itself: never try to build the Rust extension from source.
"$SYNAPSE_VENV/bin/pip" install --only-binary matrix-synapse "matrix-synapse==$SYNAPSE_VERSION" >&2
log "installed matrix-synapse $SYNAPSE_VERSION in $((SECONDS - start)) s"
