#!/usr/bin/env bash
# Developer entry points (the README's two commands):
#   ./dev.sh start [run options...]   build, then start a homeserver on SQLite under ./data,
#                                     client API on http://127.0.0.1:8008, open registration
#   ./dev.sh test  [maven options...] build and run the whole test suite (the container images,
#                                     unit, in-process integration on SQLite and PostgreSQL,
#                                     black-box scenarios)
# Needs only a JDK 21+ (found automatically: see .ci/jdk.sh). For the PostgreSQL half of the
# tests: TEST_POSTGRES_URL if set; otherwise a throw-away local PostgreSQL is started with
# .ci/postgres.sh when its binaries are installed. -Dpostgres.tests=off skips that half locally.
set -euo pipefail
cd "$(dirname "$0")"
JAVA_HOME=$(.ci/jdk.sh)
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"

case "${1:-}" in
  start)
    shift
    ./mvnw -q -pl homeserver-app -am package -DskipTests
    mkdir -p ./data
    # Class-data sharing: the first start writes the archive, later starts load classes from it (faster start-up).
    exec java -Xmx512m -XX:+AutoCreateSharedArchive -XX:SharedArchiveFile=./data/callhs-classes.jsa -Xlog:cds=off -Xlog:cds+dynamic=off \
        -jar homeserver-app/target/homeserver.jar run --data-dir ./data --listen 127.0.0.1:8008 --enable-registration "$@"
    ;;
  test)
    shift
    if [[ -z "${TEST_POSTGRES_URL:-}" && " $* " != *" -Dpostgres.tests=off "* ]] && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
      eval "$(.ci/postgres.sh start)"
    fi
    if [[ -z "${CALLHS_NODE:-}" ]]; then
      node_exports=$(.ci/node.sh)   # Node 22 for the matrix-js-sdk scenario; fails loudly when it cannot install
      eval "$node_exports"
    fi
    if [[ -z "${CALLHS_LIVEKIT:-}" ]]; then
      livekit_exports=$(.ci/livekit.sh)   # the LiveKit SFU for the token service's tests; built once, fails loudly when it cannot
      eval "$livekit_exports"
    fi
    if [[ -z "${CONTAINERS_CONF:-}" || -z "${DOCKER_HOST:-}" ]]; then
      podman_exports=$(.ci/podman.sh --api)   # podman, stand-ins for the public base images, its Docker API; needs root
      eval "$podman_exports"
    fi
    ./docker/check-images.sh   # builds the docker/ images and checks them (docker/README.md); ContainerScenario runs them
    exec ./mvnw -B verify "$@"
    ;;
  *)
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
