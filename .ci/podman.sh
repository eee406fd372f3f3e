#!/usr/bin/env bash
# Container engine for the image checks and the container deployment of the scenarios: podman
# from Debian's packages (this machine kind has no Docker engine and no reachable registry), set
# up as ../shared/reference/containers.md records, plus locally made stand-ins for the public
# base images the Dockerfile and compose file name. Idempotent: a second run only prints exports.
#
#   eval "$(.ci/podman.sh)"         # stdout = export lines; logs go to stderr
#   eval "$(.ci/podman.sh --api)"   # the same, plus podman's Docker-compatible API for Testcontainers
#   .ci/podman.sh stop-api          # stops that API service again
#
# Exports CONTAINERS_CONF (runc, cgroupfs, pinned ulimits), CALLHS_BUILD_IMAGE,
# CALLHS_RUNTIME_IMAGE and CALLHS_POSTGRES_IMAGE (the stand-ins), and, with --api, DOCKER_HOST for
# podman's Docker-compatible socket (Testcontainers), started once in the background.
#
# The stand-ins, tagged under localhost/callhs-ci/ and rebuilt only when missing:
#   debian:bookworm-slim   debootstrap --variant=minbase bookworm (for debian:bookworm-slim), plus this
#                          machine's CA certificates from /usr/local/share/ca-certificates
#   temurin:<N>-jdk        the same plus this machine's JDK at /opt/java/openjdk (for eclipse-temurin:<N>-jdk)
#   postgres:15            Debian's PostgreSQL 15 with the official image's POSTGRES_* contract (for postgres:*)
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "[podman.sh] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

api=false
[[ "${1:-}" == "--api" ]] && api=true
if [[ "${1:-}" == "stop-api" ]]; then   # stops the API service a --api run started
  if [[ -s /run/podman/callhs-api.pid ]]; then kill "$(cat /run/podman/callhs-api.pid)" 2>/dev/null || true; rm -f /run/podman/callhs-api.pid; fi
  exit 0
fi

[[ $(id -u) -eq 0 ]] || die "needs root (rootful podman; rootless podman cannot run here)"
missing=()
for tool in podman runc debootstrap podman-compose openssl; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if ((${#missing[@]})); then
  log "installing ${missing[*]} from Debian's packages"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc debootstrap podman-compose openssl >&2
fi

conf_dir="${XDG_CONFIG_HOME:-$HOME/.config}/callhs"
mkdir -p "$conf_dir"
CONTAINERS_CONF="$conf_dir/containers.conf"
cat > "$CONTAINERS_CONF" <<'CONF'
# Written by .ci/podman.sh: crun refuses this kernel's hybrid cgroups, and ulimits cannot be raised here.
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
CONF
export CONTAINERS_CONF
export BUILDAH_FORMAT=docker   # keeps HEALTHCHECK in built images

JAVA_HOME=${JAVA_HOME:-$(.ci/jdk.sh)}
jdk_major=$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
base=localhost/callhs-ci/debian:bookworm-slim
jdk=localhost/callhs-ci/temurin:$jdk_major-jdk
pg=localhost/callhs-ci/postgres:15

mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
mirror=${mirror:-http://deb.debian.org/debian}

rootfs() {   # rootfs DIR: a minimal bookworm, as Debian's slim image
  log "debootstrap bookworm from $mirror (about 40 s)"
  debootstrap --variant=minbase bookworm "$1" "$mirror" >/dev/null 2>&1 || die "debootstrap failed"
  rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/*
  # This machine's own CA certificates (an egress proxy's, for one), so that HTTPS from inside
  # the containers (the Maven wrapper, Maven) trusts what the host trusts once ca-certificates is in.
  mkdir -p "$1/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$1/usr/local/share/ca-certificates/" 2>/dev/null || true
}

if ! podman image exists "$base"; then
  work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
  rootfs "$work/root"
  tar -C "$work/root" -c . | podman import -q --change 'CMD ["bash"]' - "$base" >/dev/null
  log "made $base"
  rm -rf "$work"; trap - EXIT
fi

if ! podman image exists "$jdk"; then
  work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
  cat > "$work/Containerfile" <<CF
FROM $base
COPY jdk /opt/java/openjdk
ENV JAVA_HOME=/opt/java/openjdk PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CF
  cp -rL "$(readlink -f "$JAVA_HOME")" "$work/jdk"   # -L: Debian links the JDK's cacerts to the host's store
  podman build -q -t "$jdk" "$work" >/dev/null
  log "made $jdk from $JAVA_HOME"
  rm -rf "$work"; trap - EXIT
fi

if ! podman image exists "$pg"; then
  podman build -q -t "$pg" --build-arg BASE_IMAGE="$base" docker/ci/postgres >/dev/null
  log "made $pg"
fi

echo "export CONTAINERS_CONF=$CONTAINERS_CONF"
echo "export BUILDAH_FORMAT=docker"
echo "export CALLHS_BUILD_IMAGE=$jdk"
echo "export CALLHS_RUNTIME_IMAGE=$base"
echo "export CALLHS_POSTGRES_IMAGE=$pg"

if $api; then
  sock=/run/podman/podman.sock
  if ! curl -sf --unix-socket "$sock" http://d/_ping >/dev/null 2>&1; then
    mkdir -p /run/podman
    nohup podman system service --time=0 "unix://$sock" >/tmp/callhs-podman-api.log 2>&1 &
    echo $! > /run/podman/callhs-api.pid
    for _ in $(seq 100); do curl -sf --unix-socket "$sock" http://d/_ping >/dev/null 2>&1 && break; sleep 0.1; done
    curl -sf --unix-socket "$sock" http://d/_ping >/dev/null 2>&1 || die "podman's API did not start (see /tmp/callhs-podman-api.log)"
    log "podman's Docker-compatible API on $sock"
  fi
  echo "export DOCKER_HOST=unix://$sock"
  # Testcontainers: its reaper image cannot be pulled here (containers are stopped by the tests
  # themselves), nor the image of its start-up checks.
  echo "export TESTCONTAINERS_RYUK_DISABLED=true"
  echo "export TESTCONTAINERS_CHECKS_DISABLE=true"
  # This machine looks like a container to Testcontainers, which would then reach published ports
  # through the bridge's gateway (refused here): the ports are published on the host's loopback.
  echo "export TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1"
fi
