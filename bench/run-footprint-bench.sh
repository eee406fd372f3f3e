#!/usr/bin/env bash
# Footprint benchmark (issue 18): start-up time and memory of callhs as the production image
# runs it, of callhs with `java -jar` and no options, and of Synapse, same machine, one command.
#
# Usage: bench/run-footprint-bench.sh
#
# Builds the jars (homeserver-app, bench) and the production image (docker/Dockerfile, with
# .ci/podman.sh's stand-ins for the public base images), then waits until the machine is idle.
# For each server in turn (never two at once):
#   1. first start on an empty data directory: from the server process's launch (its start time
#      in /proc/PID/stat; for the image, the java process inside the container) to the first 200
#      of GET /_matrix/client/versions, polled every 10 ms;
#   2. idle RSS: VmRSS of that process, IDLE_SETTLE_SECONDS after start-up, after one account
#      was registered;
#   3. LONG_POLLS accounts (rooms of 10) each holding a /sync long-poll, one sender at 2
#      messages/s (bench.jar's idle-long-polls scenario, warm-up 10 s, measured 30 s): VmRSS at the
#      end, while the polls are still held, and VmHWM (peak);
#   4. stop, start again on the same data: restart time; idle RSS again after IDLE_SETTLE_SECONDS.
# Prints a markdown table to stdout and $OUT_DIR/report.md; appends nothing anywhere.
#
# Servers:
#   callhs-image   the production image, `podman run --network host --memory $IMAGE_MEMORY`: the
#                  image's JVM options (docker/jvm.options) and its start-up cache, SQLite in /data
#   callhs-jar     java -jar homeserver.jar run with JVM defaults (CALLHS_JAVA_OPTS adds options)
#   synapse        Synapse from PyPI in a venv (bench/synapse), SQLite, as the other benchmarks run it
#
# Environment (defaults in brackets):
#   SERVERS ["callhs-image callhs-jar synapse"]   IMAGE_MEMORY [1g]   IDLE_SETTLE_SECONDS [30]
#   LONG_POLLS [1000]   IDLE_LOAD_MAX [0.6] (empty: do not wait)   OUT_DIR, SKIP_BUILD=1, ports: bench/bench-lib.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SERVERS="${SERVERS:-callhs-image callhs-jar synapse}"
IMAGE_MEMORY="${IMAGE_MEMORY:-1g}"
IDLE_SETTLE_SECONDS="${IDLE_SETTLE_SECONDS:-30}"
LONG_POLLS="${LONG_POLLS:-1000}"
CALLHS_JAVA_OPTS="${CALLHS_JAVA_OPTS:-}"
IMAGE=localhost/callhs:footprint

LOG_TAG=footprint-bench
# shellcheck source=bench/bench-lib.sh
source "$ROOT/bench/bench-lib.sh"

# ------------------------------------------------------------ the servers ----
start_callhs-jar() { start_callhs; }
stop_callhs-jar() { stop_callhs; }

CONTAINER=""
start_callhs-image() {
  local tini="" data="${CALLHS_DATA_DIR:-$OUT_DIR/callhs-image-data}"
  START_FAILURE="did not start (see $OUT_DIR/callhs-image.log)"
  port_free "$CALLHS_PORT" || { START_FAILURE="127.0.0.1:$CALLHS_PORT is in use"; return 1; }
  mkdir -p "$data" && chown 991:991 "$data"
  CONTAINER="callhs-footprint-$$"
  podman rm -f "$CONTAINER" >/dev/null 2>&1 || true
  podman run -d --name "$CONTAINER" --network host --memory "$IMAGE_MEMORY" -v "$data:/data" \
      -e CALLHS__LISTEN="127.0.0.1:$CALLHS_PORT" -e CALLHS__FEDERATION__LISTEN="127.0.0.1:$CALLHS_FEDERATION_PORT" \
      -e CALLHS__REGISTRATION__ENABLED=true -e CALLHS__RATE_LIMITS__ENABLED=false "$IMAGE" >/dev/null 2>>"$OUT_DIR/callhs-image.log" \
    || return 1
  for _ in $(seq 1000); do
    tini="$(podman inspect -f '{{.State.Pid}}' "$CONTAINER" 2>/dev/null || true)"
    if [[ -n "$tini" && "$tini" != 0 ]]; then SERVER_PID="$(pgrep -P "$tini" java || true)"; [[ -n "$SERVER_PID" ]] && break; fi
    nap 0.005
  done
  [[ -n "${SERVER_PID:-}" ]] || return 1
  await_first_200 "$SERVER_PID" "$CALLHS_PORT" || { podman logs "$CONTAINER" >>"$OUT_DIR/callhs-image.log" 2>&1; return 1; }
  SERVER_URL="http://127.0.0.1:$CALLHS_PORT"
}
stop_callhs-image() {
  [[ -n "$CONTAINER" ]] || return 0
  podman stop -t 30 "$CONTAINER" >/dev/null 2>&1 || true
  podman logs "$CONTAINER" >>"$OUT_DIR/callhs-image.log" 2>&1 || true
  podman rm -f "$CONTAINER" >/dev/null 2>&1 || true
  CONTAINER=""
}
cleanup() { stop_callhs; stop_synapse; stop_callhs-image; }

for s in $SERVERS; do declare -F "start_$s" >/dev/null || die "unknown server $s (callhs-image, callhs-jar, synapse)"; done

build_jars
if [[ " $SERVERS " == *" callhs-image "* ]]; then
  eval "$(.ci/podman.sh)"
  log "building $IMAGE"
  podman build --format docker --build-arg "BUILD_IMAGE=$CALLHS_BUILD_IMAGE" --build-arg "RUNTIME_IMAGE=$CALLHS_RUNTIME_IMAGE" \
      -f docker/Dockerfile -t "$IMAGE" . >"$OUT_DIR/image-build.log" 2>&1 || die "the image does not build (see $OUT_DIR/image-build.log)"
fi
wait_for_idle
write_machine_info
echo "image=$IMAGE, podman run --network host --memory $IMAGE_MEMORY, JVM options $(grep -v '^#' docker/jvm.options | tr '\n' ' ')+ the AOT cache" \
  >>"$OUT_DIR/machine.env"
warn_if_busy

ROWS="$OUT_DIR/rows.md"
: >"$ROWS"
mib() { awk -v k="$1" 'BEGIN { if (k < 0) print "n/a"; else printf "%.1f", k / 1024 }'; }

footprint() { # server
  local name="$1" env="$OUT_DIR/$1.env" first idle polls hwm restart idle2 token json
  start_on_empty_data "$name"
  (( SERVER_UP )) || { echo "| $name | did not start: $(sed -n 's/^status=//p' "$env") | | | | | |" >>"$ROWS"; return 0; }
  first="$STARTUP_MS"
  token="$(curl -sf -X POST "$SERVER_URL/_matrix/client/v3/register" -H 'Content-Type: application/json' \
      -d '{"username":"footprint","password":"footprint-password","auth":{"type":"m.login.dummy"}}' || true)"
  [[ -n "$token" ]] || log "$name: registering the first account failed"
  nap "$IDLE_SETTLE_SECONDS"
  idle="$(proc_kib "$SERVER_PID" VmRSS)"
  run_scenario "$name" idle-long-polls $(( LONG_POLLS + 1 )) 10s 30s "$SERVER_PID" --rate 2 --threads virtual
  json="$OUT_DIR/$name-idle-long-polls.json"
  polls="$(sed -n 's/.*"rssKiBAtEnd":\([0-9-]*\).*/\1/p' "$json" | head -n 1)"
  hwm="$(proc_kib "$SERVER_PID" VmHWM)"
  "stop_$name"
  log "=== $name: restart on the same data"
  if "start_$name"; then
    restart="$STARTUP_MS"
    nap "$IDLE_SETTLE_SECONDS"
    idle2="$(proc_kib "$SERVER_PID" VmRSS)"
    "stop_$name"
  else
    restart="failed"; idle2=-1
    "stop_$name"
  fi
  echo "| $name | $first | $restart | $(mib "$idle") | $(mib "$idle2") | $(mib "${polls:--1}") | $(mib "$hwm") |" >>"$ROWS"
}
for server in $SERVERS; do footprint "$server"; done

finish_machine_info
{
  echo "## Footprint: start-up and memory"
  echo
  while IFS='=' read -r k v; do echo "- $k: $v"; done <"$OUT_DIR/machine.env"
  echo "- idle: VmRSS $IDLE_SETTLE_SECONDS s after start-up (one account registered); long-polls: $LONG_POLLS accounts holding /sync (bench.jar idle-long-polls, 2 messages/s), VmRSS at the end of the measured 30 s"
  echo
  echo "| server | first start to first 200 (ms) | restart to first 200 (ms) | idle RSS (MiB) | idle RSS after restart (MiB) | RSS holding $LONG_POLLS long-polls (MiB) | peak RSS (MiB) |"
  echo "|---|---|---|---|---|---|---|"
  cat "$ROWS"
} | tee "$OUT_DIR/report.md"
log "raw results, logs and data directories: $OUT_DIR"
