#!/usr/bin/env bash
# Builds the LiveKit SFU (livekit-server, pinned) with the Go toolchain from the Go module proxy,
# for the tests of the built-in LiveKit token service (matrixrtc) and the Element Call scenario.
# Kept by version under the user's cache directory, so only the first run builds (a few minutes
# on 2 cores). Idempotent: a second run only prints the export line again.
#
#   eval "$(.ci/livekit.sh)"    # stdout = the export line; logs go to stderr:
#   export CALLHS_LIVEKIT=$HOME/.cache/callhs-livekit/v1.13.5/bin/server
#
# v1.13.5 is the newest livekit-server whose dependencies the Go module proxy serves as they are
# (later versions need forks it does not serve); it needs Go 1.26 or newer. Without Go, Debian's
# golang package is too old: install Go from https://go.dev/dl/ (the machine's kind has it).
#
# Environment: CALLHS_LIVEKIT_HOME (default $HOME/.cache/callhs-livekit) holds one build per version.
set -euo pipefail

LIVEKIT_VERSION=v1.13.5
CALLHS_LIVEKIT_HOME="${CALLHS_LIVEKIT_HOME:-$HOME/.cache/callhs-livekit}"

log() { echo "[livekit.sh] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

prefix="$CALLHS_LIVEKIT_HOME/$LIVEKIT_VERSION"
binary="$prefix/bin/server"

if [[ ! -x "$binary" ]]; then
  go=$(command -v go || true)
  [[ -z "$go" && -x /usr/local/go/bin/go ]] && go=/usr/local/go/bin/go
  [[ -n "$go" ]] || die "no Go toolchain on the PATH (needed once, to build livekit-server $LIVEKIT_VERSION)"
  log "building livekit-server $LIVEKIT_VERSION with $("$go" version) into $prefix (once)"
  mkdir -p "$prefix"
  tmp=$(mktemp -d "$prefix/.build.XXXXXX")
  # GOFLAGS=-mod=mod: the module's own go.sum decides; GOTOOLCHAIN=local: never download another Go.
  if ! GOBIN="$tmp" GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0 \
       "$go" install "github.com/livekit/livekit-server/cmd/server@$LIVEKIT_VERSION" >&2; then
    rm -rf "$tmp"
    die "go install of livekit-server $LIVEKIT_VERSION failed"
  fi
  mkdir -p "$prefix/bin"
  mv "$tmp/server" "$binary"
  rm -rf "$tmp"
fi
"$binary" --version >&2 || die "$binary does not run"
echo "export CALLHS_LIVEKIT=$binary"
